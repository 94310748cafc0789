/**
 * Every generated .json, .yaml and .yml file parses: JSON strictly (JSON with
 * comments only where the consuming tool reads it: tsconfig, .vscode,
 * devcontainer, *.jsonc), YAML with every document of a multi-document stream,
 * and neither with a key given twice.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments, parseDocument } from 'yaml';
import type { Check, Finding } from '../check.ts';
import { checkedFiles, packageVersion } from '../check-helpers.ts';

/** Files whose readers accept comments and trailing commas (JSONC). */
const JSONC = [/(^|\/)tsconfig(\.[\w-]+)?\.json$/, /(^|\/)jsconfig(\.[\w-]+)?\.json$/, /(^|\/)\.vscode\/[^/]+\.json$/, /(^|\/)\.?devcontainer(\/devcontainer)?\.json$/, /\.jsonc$/];

/** JSONC to JSON: comments and trailing commas removed outside strings (replaced by spaces, so positions stay put). */
export function stripJsonc(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (char === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      out += text.slice(index, end + 1);
      index = end + 1;
    } else if (char === '/' && text[index + 1] === '/') {
      const end = text.indexOf('\n', index);
      const stop = end === -1 ? text.length : end;
      out += ' '.repeat(stop - index);
      index = stop;
    } else if (char === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(index, stop).replace(/[^\n]/g, ' ');
      index = stop;
    } else {
      out += char;
      index += 1;
    }
  }
  return out.replace(/,(\s*[}\]])/g, ' $1');
}

function duplicateKeys(text: string, file: string): Finding[] {
  const document = parseDocument(text, { uniqueKeys: true });
  return document.errors.filter((error) => error.code === 'DUPLICATE_KEY').map((error) => ({ file, message: `line ${error.linePos?.[0]?.line ?? '?'}: ${error.message.split('\n')[0]}` }));
}

export function parseFindings(file: string, text: string): Finding[] {
  if (file.endsWith('.yaml') || file.endsWith('.yml')) {
    const findings: Finding[] = [];
    const documents = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
    for (const document of Array.isArray(documents) ? documents : []) {
      for (const error of document.errors) findings.push({ file, message: `YAML: ${error.message.split('\n')[0]}` });
    }
    return findings;
  }
  const jsonc = JSONC.some((pattern) => pattern.test(file));
  const source = jsonc ? stripJsonc(text) : text;
  try {
    JSON.parse(source);
  } catch (error) {
    return [{ file, message: `${jsonc ? 'JSON with comments' : 'JSON'}: ${(error as Error).message}` }];
  }
  return duplicateKeys(source, file);
}

const check: Check = {
  name: 'parse',
  inputs: ['**/*.json', '**/*.jsonc', '**/*.yaml', '**/*.yml'],
  granularity: 'file',
  batch: 500,
  tool: async () => `parse (yaml ${packageVersion('yaml')}, JSON.parse)`,
  async run(directory, context) {
    const findings: Finding[] = [];
    for (const { file, path } of checkedFiles(directory, context, true)) {
      findings.push(...parseFindings(file, await readFile(path, 'utf8')));
    }
    return findings;
  },
};

export default check;
