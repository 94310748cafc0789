/**
 * Generated files carry no traces of templating: no unrendered EJS markers,
 * no JavaScript values printed into text (undefined, NaN, [object Object]),
 * and no placeholder text (TODO, FIXME, CHANGEME, lorem ipsum, <year>...).
 *
 * In code (.ts, .js...) `undefined` and `NaN` are ordinary identifiers, so
 * there they count only inside string literals; in Markdown, code spans and
 * fenced blocks may mention them.
 */
import { readFile } from 'node:fs/promises';
import type { Check, Finding } from '../check.ts';
import { checkedFiles, lineAt, markdownProse } from '../check-helpers.ts';

const CODE_FILE = /\.(?:[cm]?[jt]sx?)$/;

interface Rule {
  pattern: RegExp;
  message: (match: string) => string;
}

/** Everywhere, including code and Markdown code blocks. */
const EVERYWHERE: readonly Rule[] = [
  { pattern: /<%|%>/g, message: (match) => `unrendered EJS marker "${match}"` },
  { pattern: /\[object Object\]/g, message: () => 'an object printed as text: "[object Object]"' },
  { pattern: /\b(?:TODO|FIXME|XXX|TBD|CHANGEME|CHANGE_ME|REPLACE_ME|REPLACEME)\b/g, message: (match) => `placeholder text "${match}"` },
  { pattern: /\blorem ipsum\b/gi, message: (match) => `placeholder text "${match}"` },
  { pattern: /<(?:year|owner|copyright holders?|name of author|your name|project name)>/gi, message: (match) => `unfilled placeholder "${match}"` },
];

/** Values that leaked from a template where text was expected. */
const VALUE_LEAK: Rule = { pattern: /\b(?:undefined|NaN)\b/g, message: (match) => `"${match}" printed where a value was expected` };

const STRING_LITERAL = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
/** `typeof x === 'undefined'` is the one legitimate string "undefined" in code. */
const TYPEOF_UNDEFINED = /typeof\s+[\w.$[\]'"]+\s*[!=]==?\s*$/;

function apply(rule: Rule, text: string, offset: number, fullText: string, file: string, findings: Finding[]): void {
  for (const match of text.matchAll(rule.pattern)) {
    findings.push({ file, message: `line ${lineAt(fullText, offset + (match.index ?? 0))}: ${rule.message(match[0])}` });
  }
}

export function templateMarkerFindings(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const rule of EVERYWHERE) apply(rule, text, 0, text, file, findings);
  if (CODE_FILE.test(file)) {
    for (const literal of text.matchAll(STRING_LITERAL)) {
      const start = literal.index ?? 0;
      if (/^['"]undefined['"]$/.test(literal[0]) && TYPEOF_UNDEFINED.test(text.slice(Math.max(0, start - 80), start))) continue;
      apply(VALUE_LEAK, literal[0], start, text, file, findings);
    }
  } else {
    apply(VALUE_LEAK, file.endsWith('.md') ? markdownProse(text) : text, 0, text, file, findings);
  }
  return findings;
}

const check: Check = {
  name: 'template-markers',
  inputs: ['**'],
  granularity: 'file',
  batch: 500,
  tool: async () => 'template-markers (built in)',
  async run(directory, context) {
    const findings: Finding[] = [];
    for (const { file, path } of checkedFiles(directory, context, true)) findings.push(...templateMarkerFindings(file, await readFile(path, 'utf8')));
    return findings;
  },
};

export default check;
