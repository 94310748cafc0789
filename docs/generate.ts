/** Regenerates docs/options.md, the options table in README.md and docs/json-output.schema.json from the option model. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { jsonOutputSchema } from '../generators/app/json-schema.ts';
import { optionsPage, withOptionsTable } from '../generators/core/options-doc.ts';

const root = join(import.meta.dirname, '..');

export async function generatedDocs(): Promise<Record<string, string>> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return {
    'docs/options.md': await format(optionsPage(), { parser: 'markdown' }),
    'README.md': await format(withOptionsTable(readme), { parser: 'markdown' }),
    'docs/json-output.schema.json': await format(JSON.stringify(jsonOutputSchema()), { parser: 'json' }),
  };
}

if (import.meta.main) {
  const docs = await generatedDocs();
  for (const [path, content] of Object.entries(docs)) writeFileSync(join(root, path), content);
  process.stdout.write(`Wrote ${Object.keys(docs).join(', ')}\n`);
}
