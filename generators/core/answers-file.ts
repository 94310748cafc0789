/** Reads an --answers-file (JSON or YAML) into raw answers, with precise errors. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UsageError } from './answers.ts';

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * The text of an answers file, by the same rules for JSON and YAML: UTF-8
 * with or without a byte order mark, CRLF or LF line endings (returned as LF).
 * UTF-16 (with a BOM, or recognised by its zero bytes) and invalid UTF-8 are
 * refused with a UsageError naming the file and how to fix it. YAML 1.2 (§5.2)
 * allows UTF-16 and UTF-32, JSON (RFC 8259 §8.1) requires UTF-8: the common
 * subset is UTF-8, which every editor can save.
 */
export function decodeAnswersFile(path: string, bytes: Buffer): string {
  const utf16 =
    (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0));
  if (utf16) throw new UsageError([`--answers-file ${path}: the file is UTF-16 (or UTF-32); save it as UTF-8.`]);
  const body = UTF8_BOM.every((byte, index) => bytes[index] === byte) ? bytes.subarray(UTF8_BOM.length) : bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new UsageError([`--answers-file ${path}: the file is not valid UTF-8; save it as UTF-8.`]);
  }
  return text.replace(/\r\n/g, '\n');
}

export function readAnswersFile(path: string): Record<string, unknown> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError([`--answers-file ${path}: cannot read it (${code === 'ENOENT' ? 'no such file' : code}).`]);
  }
  const text = decodeAnswersFile(path, bytes);
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
