/**
 * `prettier --check` on every generated file Prettier handles, with the
 * repository's Prettier and the generated project's own configuration
 * (.prettierrc*, prettier.config.*, .editorconfig, .prettierignore), as the
 * generated project's `npm run format:check` does. One difference, on the
 * strict side: files the project's .gitignore names are checked too.
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as prettier from 'prettier';
import type { Check, Finding } from '../check.ts';
import { checkedFiles } from '../check-helpers.ts';

/** Every file name and extension Prettier (without plugins) infers a parser for. */
async function supportedGlobs(): Promise<string[]> {
  const { languages } = await prettier.getSupportInfo();
  const globs = new Set<string>();
  for (const language of languages) {
    for (const extension of language.extensions ?? []) globs.add(`**/*${extension}`);
    for (const filename of language.filenames ?? []) globs.add(`**/${filename}`);
  }
  return [...globs].sort();
}

const CONFIG_FILES = ['**/.prettierrc', '**/.prettierrc.*', '**/prettier.config.*', '**/.editorconfig', '**/.prettierignore'];

function firstDifference(actual: string, expected: string): string {
  const actualLines = actual.split('\n');
  const expectedLines = expected.split('\n');
  for (let index = 0; index < Math.max(actualLines.length, expectedLines.length); index++) {
    if (actualLines[index] !== expectedLines[index]) {
      return `line ${index + 1}: is ${JSON.stringify(actualLines[index] ?? '<end of file>')}, Prettier writes ${JSON.stringify(expectedLines[index] ?? '<end of file>')}`;
    }
  }
  return 'differs in line endings or trailing whitespace';
}

function configuresPrettier(packageJson: string): boolean {
  try {
    const manifest = JSON.parse(packageJson) as unknown;
    return typeof manifest === 'object' && manifest !== null && 'prettier' in manifest;
  } catch {
    return false; // The parse check reports invalid JSON.
  }
}

export async function prettierFindings(file: string, path: string, root: string): Promise<Finding[]> {
  // The project root (as git would mark it) bounds the .editorconfig search.
  mkdirSync(join(root, '.git'), { recursive: true });
  const info = await prettier.getFileInfo(path, { ignorePath: join(root, '.prettierignore'), resolveConfig: false });
  if (info.ignored || !info.inferredParser) return [];
  const text = await readFile(path, 'utf8');
  if (/(^|\/)package\.json$/.test(file) && configuresPrettier(text)) {
    return [{ file, message: 'configures Prettier in package.json; the matrix reads Prettier configuration from .prettierrc files, so keep it there' }];
  }
  const config = (await prettier.resolveConfig(path, { editorconfig: true })) ?? {};
  try {
    const formatted = await prettier.format(text, { ...config, filepath: path });
    return formatted === text ? [] : [{ file, message: `not formatted as Prettier ${prettier.version} formats it (${firstDifference(text, formatted)})` }];
  } catch (error) {
    return [{ file, message: `Prettier cannot parse it: ${(error as Error).message.split('\n')[0]}` }];
  }
}

const check: Check = {
  name: 'prettier',
  inputs: await supportedGlobs(),
  shared: CONFIG_FILES,
  granularity: 'file',
  batch: 200,
  tool: async () => `prettier ${prettier.version}`,
  async run(directory, context) {
    const findings: Finding[] = [];
    try {
      for (const { file, path, root } of checkedFiles(directory, context, true)) findings.push(...(await prettierFindings(file, path, root)));
    } finally {
      await prettier.clearConfigCache();
    }
    return findings;
  },
};

export default check;
