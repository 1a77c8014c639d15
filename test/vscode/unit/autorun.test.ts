import * as assert from 'node:assert/strict';
import { choiceOrder, routeStep, runOnEc2Asks } from '../../../src/vscode/autorun';

describe('AUTORUN', () => {
  it('full runs where the policy decided, without asking', () => {
    assert.deepEqual(routeStep('full', 'cloud'), { kind: 'run', where: 'cloud' });
    assert.deepEqual(routeStep('full', 'local'), { kind: 'run', where: 'local' });
    assert.equal(runOnEc2Asks('full'), false);
  });

  it('confirm shows the reasons before anything goes to the cloud; local runs as decided', () => {
    assert.deepEqual(routeStep('confirm', 'cloud'), { kind: 'confirm' });
    assert.deepEqual(routeStep('confirm', 'local'), { kind: 'run', where: 'local' });
    assert.equal(runOnEc2Asks('confirm'), true);
  });

  it('off never routes by itself: it asks, offering COMPUTE_TARGET first', () => {
    assert.deepEqual(routeStep('off', 'cloud'), { kind: 'ask' });
    assert.deepEqual(routeStep('off', 'local'), { kind: 'ask' });
    assert.deepEqual(choiceOrder('ec2'), ['cloud', 'local']);
    assert.deepEqual(choiceOrder('local'), ['local', 'cloud']);
    assert.deepEqual(choiceOrder(undefined), ['local', 'cloud']);
    assert.equal(runOnEc2Asks('off'), true);
  });

  it('a target written in the task is never asked about, in any mode', () => {
    for (const mode of ['off', 'confirm', 'full'] as const) {
      assert.deepEqual(routeStep(mode, 'local', 'cloud'), { kind: 'run', where: 'cloud' });
      assert.deepEqual(routeStep(mode, 'cloud', 'local'), { kind: 'run', where: 'local' });
    }
  });
});
