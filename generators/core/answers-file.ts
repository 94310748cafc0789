/** Reads an --answers-file (JSON or YAML) into raw answers, with precise errors. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UsageError } from './answers.ts';

export function readAnswersFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError([`--answers-file ${path}: cannot read it (${code === 'ENOENT' ? 'no such file' : code}).`]);
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos
        ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`
        : (error as Error).message;
    throw new UsageError([`--answers-file ${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'} (${where}).`]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError([`--answers-file ${path}: expected a mapping of option names to values, e.g. { "database": "postgres" }.`]);
  }
  return data as Record<string, unknown>;
}
