import { strict as assert } from 'node:assert';
import { COMPUTE_TARGETS, LOCAL_HOST, whereOf, whereOfHost } from '../../../src/core/jobs/where';

describe('where a job runs', () => {
  it("reads the kit's COMPUTE_TARGET in the routing words: ec2 is cloud", () => {
    assert.deepEqual(
      COMPUTE_TARGETS.map((t) => [t, whereOf(t)]),
      [
        ['local', 'local'],
        ['ec2', 'cloud'],
      ],
    );
  });

  it('tells the local tmux server from a host by its name', () => {
    assert.equal(whereOfHost(LOCAL_HOST), 'local');
    assert.equal(whereOfHost('gpu-box'), 'cloud');
  });
});
