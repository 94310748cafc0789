/** The options documentation is generated from the option model; a drift fails here. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../docs/generate.ts';
import { ERROR_CODES } from '../generators/app/json-schema.ts';
import { options } from '../generators/core/options.ts';
import { loadChecks } from '../matrix/load-checks.ts';
import { repoRoot } from './helpers.ts';

describe('generated documentation', () => {
  it.each(['README.md', 'docs/options.md', 'docs/json-output.schema.json'])('%s matches the option model (run `npm run docs` after changing options)', async (path) => {
    const expected = (await generatedDocs())[path];
    expect(readFileSync(join(repoRoot, path), 'utf8')).toBe(expected);
  });

  it('docs/json-output.md lists every --json error code with its exit code', () => {
    const page = readFileSync(join(repoRoot, 'docs/json-output.md'), 'utf8');
    const documented = [...page.matchAll(/^\| `([a-z-]+)` +\| (\d+) +\|/gm)].map((match) => ({ code: match[1], exitCode: Number(match[2]) }));
    expect(documented).toEqual(ERROR_CODES.map(({ code, exitCode }) => ({ code, exitCode })));
  });

  it('documents every option and every choice', () => {
    const page = readFileSync(join(repoRoot, 'docs/options.md'), 'utf8');
    for (const option of options) {
      expect(page).toContain(`\`--${option.flag}\``);
      for (const choice of option.choices ?? []) expect(page).toContain(choice.description);
    }
  });

  it('the README names exactly one setup and one test command for contributors', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const contributing = readme.slice(readme.indexOf('## Contributing'), readme.indexOf('## License'));
    const commands = [...contributing.matchAll(/```sh\n([^`]+)```/g)].map((match) => match[1]?.trim());
    expect(commands).toEqual(['npm ci', 'npm test']);
  });

  it('docs/matrix.md names every check of matrix/checks/', async () => {
    const page = readFileSync(join(repoRoot, 'docs/matrix.md'), 'utf8');
    const missing = (await loadChecks()).map(({ check }) => check.name).filter((name) => !page.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
