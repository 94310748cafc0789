/**
 * YAML files as the `yaml` serializer writes them with the project's Prettier
 * settings, so they are Prettier-clean as generated (no formatting pass):
 * - quotes as Prettier's YAML printer chooses them with `singleQuote`: single
 *   quotes unless the text holds a single quote and no double quote (the
 *   serializer's `singleQuote: true` makes the same choice);
 * - no line folding (`lineWidth: 0`): Prettier with `proseWrap: "preserve"`
 *   never re-wraps a scalar, so a folded one would be the serializer's layout,
 *   not Prettier's;
 * - sequences indented under their key, two spaces, no document start marker
 *   for a single document, `---` between documents (Prettier's layout too);
 * - no anchors or aliases: each object is spelled out where it is used.
 * `test/formatting.test.ts` and the matrix's prettier check prove the result
 * clean for every combination; `test/yaml-text.test.ts` pins the quoting rules.
 */
import { stringify } from 'yaml';
import { PRETTIER_OPTIONS } from './prettier-options.ts';

export interface YamlTextOptions {
  /**
   * Quote every string a YAML 1.1 reader would take for another type (`on`,
   * `no`, `y`, `0755`...): for files read by YAML 1.1 parsers such as GitHub
   * Actions, GitLab CI and Docker Compose.
   */
  yaml11?: boolean;
  /** Write null as an empty value (`key:`) instead of `null` (Compose's style for variables passed through). */
  emptyNull?: boolean;
}

/** One YAML document (ends with a newline). Throws what `yaml` throws for values it cannot represent. */
export function yamlText(document: unknown, options: YamlTextOptions = {}): string {
  return stringify(document, {
    ...(options.yaml11 ? { version: '1.1' as const } : {}),
    ...(options.emptyNull ? { nullStr: '' } : {}),
    aliasDuplicateObjects: false,
    lineWidth: 0,
    singleQuote: PRETTIER_OPTIONS.singleQuote,
  });
}

/** A header as YAML comment lines: `# text` for each line, `#` for an empty one; leading and trailing blank lines dropped. */
export function yamlComment(header: string): string {
  return header
    .trim()
    .split('\n')
    .map((line) => (line === '' ? '#' : `# ${line}`))
    .join('\n');
}

/** A YAML file: the comment header, then the documents separated by `---`. */
export function yamlFile(header: string, documents: readonly unknown[], options: YamlTextOptions = {}): string {
  return `${yamlComment(header)}\n${documents.map((document) => yamlText(document, options)).join('---\n')}`;
}
