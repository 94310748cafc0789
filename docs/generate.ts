/** Regenerates docs/options.md and the options table in README.md from the option model. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { optionsPage, withOptionsTable } from '../generators/core/options-doc.ts';

const root = join(import.meta.dirname, '..');

export async function generatedDocs(): Promise<Record<string, string>> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return {
    'docs/options.md': await format(optionsPage(), { parser: 'markdown' }),
    'README.md': await format(withOptionsTable(readme), { parser: 'markdown' }),
  };
}

if (import.meta.main) {
  for (const [path, content] of Object.entries(await generatedDocs())) writeFileSync(join(root, path), content);
  process.stdout.write('Wrote docs/options.md and the options table in README.md\n');
}
