/**
 * Formats generated files with Prettier before they are written. Results are
 * cached by content, so identical files are formatted once per process.
 *
 * Only the formats where user-given text lands (Markdown, YAML, JSON) are
 * formatted at generation time. TypeScript and JavaScript templates are kept
 * Prettier-clean as written, which a unit test and the matrix's prettier check
 * prove for every combination: formatting them here would cost well over half
 * a second of every run.
 */
import { createHash } from 'node:crypto';
import { extname, basename } from 'node:path';
import { PRETTIER_OPTIONS } from './prettier-options.ts';

type Prettier = typeof import('prettier');
let prettier: Promise<Prettier> | undefined;
const cache = new Map<string, string>();

const PARSERS: Record<string, string> = {
  '.json': 'json',
  '.md': 'markdown',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.css': 'css',
  '.html': 'html',
};
const SPECIAL: Record<string, string> = { 'package.json': 'json-stringify', '.yo-rc.json': 'json' };

/** The Prettier parser used at generation time for a path, or undefined when the file is written as rendered. */
export function parserFor(path: string): string | undefined {
  return SPECIAL[basename(path)] ?? PARSERS[extname(path)];
}

export async function formatContent(path: string, content: string): Promise<string> {
  const parser = parserFor(path);
  if (!parser) return content;
  const key = createHash('sha256').update(parser).update('\0').update(content).digest('hex');
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  prettier ??= import('prettier');
  try {
    const formatted = await (await prettier).format(content, { ...PRETTIER_OPTIONS, parser, filepath: path });
    cache.set(key, formatted);
    return formatted;
  } catch (error) {
    throw new Error(`Generated ${path} is not valid ${parser}: ${(error as Error).message.split('\n')[0]}`);
  }
}
