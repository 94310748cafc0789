import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import helpers from 'yeoman-test';
import { describe, expect, it } from 'vitest';
import AppGenerator from '../generators/app/index.ts';

function yoRc(cwd: string) {
  return JSON.parse(readFileSync(join(cwd, '.yo-rc.json'), 'utf8'))['create-prodready-app'];
}

describe('interactive mode', () => {
  it('asks every option not given and saves the answers', async () => {
    const result = await helpers
      .run(AppGenerator as never)
      .withOptions({ interactive: true, skipInstall: true, skipGit: true } as never)
      .withAnswers({ name: 'billing-api', database: 'none', cache: 'redis', observability: false, license: 'Apache-2.0' });
    const asked = result.askedQuestions.map((question: { name: string }) => question.name);
    expect(asked).toContain('name');
    expect(asked).toContain('database');
    // Options that do not apply are not asked.
    expect(asked).not.toContain('backup');
    expect(asked).not.toContain('slo');
    const saved = yoRc(result.cwd);
    expect(saved).toMatchObject({ name: 'billing-api', database: 'none', cache: 'redis', observability: false, backup: false, license: 'Apache-2.0' });
    // Every question answered counts as chosen; only the options not asked are recorded as defaults.
    expect(saved.defaults).toEqual(['slo', 'backup']);
    expect(readFileSync(join(result.cwd, 'LICENSE'), 'utf8')).toMatch(/^Apache License/);
  });

  it('does not ask what flags already answered', async () => {
    const result = await helpers
      .run(AppGenerator as never)
      .withOptions({ interactive: true, skipInstall: true, skipGit: true, name: 'orders', database: 'postgres' } as never)
      .withAnswers({ backup: false });
    const asked = result.askedQuestions.map((question: { name: string }) => question.name);
    expect(asked).not.toContain('name');
    expect(asked).not.toContain('database');
    expect(asked).toContain('backup');
    expect(yoRc(result.cwd)).toMatchObject({ name: 'orders', database: 'postgres', backup: false });
  });

  it('rejects an invalid answer with the validation message', async () => {
    const run = helpers
      .run(AppGenerator as never)
      .withOptions({ interactive: true, skipInstall: true, skipGit: true } as never)
      .withAnswers({ name: 'Bad_Name' });
    await expect(run).rejects.toThrow(/"Bad_Name" is not valid/);
  });
});

describe('interactive re-run in a generated project', () => {
  it('asks nothing already decided: chosen answers are kept, defaults follow the other answers', async () => {
    const saved = { name: 'kept-svc', database: 'postgres', cache: 'none', backup: true, defaults: ['description', 'owner', 'license', 'cache', 'ci', 'deploy', 'observability', 'slo', 'tracing', 'sentry', 'backup', 'loadTest', 'registry'] };
    const result = await helpers
      .run(AppGenerator as never)
      // On disk, as a generated project has it: the generator reads .yo-rc.json itself before Yeoman's config store.
      .inTmpDir((dir) => writeFileSync(join(dir, '.yo-rc.json'), JSON.stringify({ 'create-prodready-app': saved })))
      .withOptions({ interactive: true, skipInstall: true, skipGit: true, database: 'none', force: true } as never)
      .withAnswers({});
    expect(result.askedQuestions).toEqual([]);
    expect(yoRc(result.cwd)).toMatchObject({ name: 'kept-svc', database: 'none', backup: false, cache: 'none' });
    expect(yoRc(result.cwd).defaults).toContain('backup');
    expect(yoRc(result.cwd).defaults).not.toContain('database');
  });
});
