import { strict as assert } from 'node:assert';
import { UserError } from '../../src/core/errors';
import { generateJobName, JOB_NAME_PATTERN, safeNamePart, validateJobName } from '../../src/core/jobs/names';

const valid = ['a', 'Z', '0', 'job1', 'train-model_2', 'A-b_C-9', 'x'.repeat(80), '9lives', 'a-', 'a_'];

const invalid: { name: string; says: RegExp }[] = [
  { name: '', says: /it is empty/ },
  { name: 'x'.repeat(81), says: /it is 81 characters long/ },
  { name: 'a.b', says: /"\." is not allowed \(tmux rewrites "\." and ":" in session names\)/ },
  { name: 'a:b', says: /":" is not allowed \(tmux rewrites/ },
  { name: 'a b', says: /a space is not allowed/ },
  { name: 'a\tb', says: /a tab is not allowed/ },
  { name: 'a\nb', says: /a line break is not allowed/ },
  { name: 'a/b', says: /"\/" is not allowed \(a job name is also a directory name\)/ },
  { name: '../x', says: /"\." is not allowed/ },
  { name: 'café', says: /"é" \(U\+00E9\) is not allowed/ },
  { name: 'job✓', says: /"✓" \(U\+2713\) is not allowed/ },
  { name: 'a\u0001', says: /the control character U\+0001 is not allowed/ },
  { name: '-job', says: /it starts with "-"/ },
  { name: '_job', says: /it starts with "_"/ },
  { name: 'a;rm -rf', says: /";" is not allowed/ },
  { name: '$(x)', says: /"\$" is not allowed/ },
];

describe('job names', () => {
  it('accepts names of 1 to 80 letters, digits, "-" and "_" starting with a letter or digit', () => {
    for (const n of valid) assert.equal(validateJobName(n), n);
  });

  for (const c of invalid) {
    it(`refuses ${JSON.stringify(c.name.length > 20 ? `${c.name.slice(0, 10)}...(${c.name.length})` : c.name)} saying what is wrong`, () => {
      assert.throws(
        () => validateJobName(c.name),
        (e: unknown) => {
          assert.ok(e instanceof UserError && e.exitCode === 2, String(e));
          assert.match(e.message, c.says);
          assert.match(e.message, /use only letters A-Z and a-z, digits, "-" and "_", start with a letter or digit, and keep it to 80 characters\.$/);
          assert.ok(!e.message.includes('\n'), 'one line, control characters escaped');
          return true;
        },
      );
    });
  }

  const safe: [string, string][] = [
    ['My Project', 'my-project'],
    ['  --Weird...Name__ ', 'weird-name'],
    ['café crème', 'cafe-creme'],
    ['a/b:c.d', 'a-b-c-d'],
    ['under_score-ok', 'under_score-ok'],
    ['日本語', 'job'],
    ['', 'job'],
    ['---', 'job'],
  ];
  for (const [input, want] of safe) {
    it(`safeNamePart(${JSON.stringify(input)}) = ${JSON.stringify(want)}`, () => {
      assert.equal(safeNamePart(input), want);
      assert.match(safeNamePart(input), JOB_NAME_PATTERN);
    });
  }

  describe('generation', () => {
    let savedTz: string | undefined;
    beforeEach(() => {
      savedTz = process.env.TZ;
    });
    afterEach(() => {
      if (savedTz === undefined) delete process.env.TZ;
      else process.env.TZ = savedTz;
    });

    it('is <project>-<task>-<YYYYMMDD-HHMM> with safe parts', () => {
      const name = generateJobName('My Project!', 'Train Model', new Date(2024, 0, 5, 7, 3));
      assert.equal(name, 'my-project-train-model-20240105-0703');
    });

    it('uses local time, not UTC', () => {
      process.env.TZ = 'Asia/Tokyo'; // UTC+9, no DST
      assert.equal(generateJobName('p', 't', new Date(Date.UTC(2024, 11, 31, 22, 30))), 'p-t-20250101-0730');
      process.env.TZ = 'America/Los_Angeles';
      assert.equal(generateJobName('p', 't', new Date(Date.UTC(2024, 0, 1, 5, 9))), 'p-t-20231231-2109');
    });

    it('makes an empty or unusable part non-empty', () => {
      assert.match(generateJobName('日本', '???', new Date(2024, 5, 1, 0, 0)), /^project-task-20240601-0000$/);
    });

    const lengths: [number, number][] = [[10, 10], [65, 0], [100, 3], [3, 100], [100, 100], [40, 40], [33, 33]];
    for (const [pl, tl] of lengths) {
      it(`stays valid and at most 80 characters for a ${pl}-char project and ${tl}-char task`, () => {
        const project = 'p'.repeat(pl) || 'x';
        const task = 't'.repeat(tl) || 'y';
        const name = generateJobName(project, task, new Date(2024, 1, 29, 23, 59));
        assert.match(name, JOB_NAME_PATTERN);
        assert.ok(name.length <= 80, `${name.length}`);
        assert.match(name, /^p+-(t+|y)-20240229-2359$/);
        if (project.length + task.length <= 65) assert.equal(name, `${project}-${task}-20240229-2359`, 'nothing cut when it fits');
        else assert.equal(name.length, 80, 'cut only as much as needed');
      });
    }

    it('does not leave a dash at the end of a cut part', () => {
      const name = generateJobName(`${'a'.repeat(60)}-${'b'.repeat(40)}`, 'task', new Date(2024, 0, 1, 0, 0));
      assert.match(name, JOB_NAME_PATTERN);
      assert.ok(!name.includes('--'), name);
    });
  });
});
