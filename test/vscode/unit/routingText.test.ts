import * as assert from 'node:assert/strict';
import { routingBarText } from '../../../src/vscode/routeText';

describe('routing indicator text', () => {
  it('reads as words: the compute target, then where the active task goes', () => {
    assert.equal(routingBarText('ec2', { kind: 'file', decided: 'cloud' }), '$(cloud) Target: ec2 · this file → cloud');
    assert.equal(routingBarText('local', { kind: 'selection', decided: 'local' }), '$(device-desktop) Target: local · selection → local');
    assert.equal(routingBarText('local', { kind: 'task', decided: 'cloud' }), '$(device-desktop) Target: local · this task → cloud');
    assert.equal(routingBarText('ec2'), '$(cloud) Target: ec2');
  });
});
