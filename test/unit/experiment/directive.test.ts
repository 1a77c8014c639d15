import { strict as assert } from 'node:assert';
import { computeDirective } from '../../../src/core/experiment/directive';

describe('the mandatory EC2 compute directive', () => {
  const base = { cloudRun: '/opt/cloud-jobs/bin/cloud-run', spec: 'specs/exp-7.md', resultsDir: 'results/exp-7', dataDir: 'data', maxHours: '4' };

  it('is the kit spec\'s text with the real spec, results, data dir, max hours and cloud-run', () => {
    const text = computeDirective({ ...base, dataDir: '/mnt/features', maxHours: '2.5' });
    assert.ok(text.includes('## Compute Directive (MANDATORY — EC2)'));
    assert.ok(text.includes('ALL training and heavy computation MUST run on EC2. Do NOT run model training locally.'));
    assert.ok(text.includes(
      '  /opt/cloud-jobs/bin/cloud-run run "python <your-script>" \\\n' +
      '      --spec specs/exp-7.md \\\n' +
      '      --data-dirs /mnt/features/ \\\n' +
      '      --output-dir results/exp-7/ \\\n' +
      '      --max-hours 2.5\n'));
    assert.ok(text.includes('- Do NOT use --detach. Wait for the run to complete.'));
    assert.ok(text.includes('    /opt/cloud-jobs/bin/cloud-run pull <run-id> --output-dir results/exp-7/\n'));
    assert.ok(text.includes('- Write the cloud-run run-id to results/exp-7/.cloud-run-id'));
    assert.ok(text.includes('- Verify metrics.json exists in results/exp-7/ before exiting.'));
    assert.ok(!text.includes('orchestration-kit/tools/cloud-run'), 'names this project\'s cloud-run, not the kit\'s');
    assert.ok(!/\$\{|\$spec_file|\$results_path/.test(text), 'no shell variable is left unexpanded');
  });

  it('quotes paths a shell would split, so the command stays copyable', () => {
    const text = computeDirective({ ...base, cloudRun: '/Users/me/My Tools/cloud-run', spec: 'specs/a b.md' });
    assert.ok(text.includes(`'/Users/me/My Tools/cloud-run' run "python <your-script>"`));
    assert.ok(text.includes(`--spec 'specs/a b.md' \\`));
  });
});
