import assert from 'node:assert/strict';
import { announcedPorts } from '../../../src/core/ports/serverAnnounce';
import { formatPortSpec, parsePortSpec, portsOf } from '../../../src/core/ports/portSpec';
import { isUserError } from '../../../src/core/errors';

describe('job ports', () => {
  it('--publish P[:L]: host port, then local port; anything else is one sentence', () => {
    assert.deepEqual(parsePortSpec('6006'), { port: 6006 });
    assert.deepEqual(parsePortSpec('5173:15173'), { port: 5173, local: 15173 });
    for (const bad of ['', 'x', '0', '70000', '1:2:3', '80:']) {
      assert.throws(() => parsePortSpec(bad), (e) => isUserError(e) && /--publish/.test(e.message), bad);
    }
    assert.equal(formatPortSpec({ port: 5173, local: 15173 }), '5173:15173');
    assert.deepEqual(portsOf([{ port: 1 }, { port: 'x' }, null, { port: 2, local: 3 }]), [{ port: 1 }, { port: 2, local: 3 }]);
  });

  it('finds the ports a log announces a server on', () => {
    assert.deepEqual(announcedPorts('  VITE v5  ready\n  ➜  Local:   http://0.0.0.0:5173/\n'), [5173]);
    assert.deepEqual(announcedPorts('TensorBoard 2.15 at Running on http://127.0.0.1:6006 (Press CTRL+C to quit)'), [6006]);
    assert.deepEqual(announcedPorts('server listening on port 8888'), [8888]);
    assert.deepEqual(announcedPorts('Serving HTTP on 127.0.0.1 port 8000 (http://127.0.0.1:8000/) ...'), [8000]);
    assert.deepEqual(announcedPorts('epoch 3/10 loss 0.2 at 12:30:01'), []);
  });
});
