/**
 * TypeScript literals written the way Prettier (singleQuote) prints them, so
 * values inserted into TypeScript templates keep the output Prettier-clean.
 */
import { PRETTIER_OPTIONS } from './prettier-options.ts';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A string literal: single quotes unless the text holds more single than double quotes (Prettier's rule). */
export function tsString(text: string): string {
  const singles = (text.match(/'/g) ?? []).length;
  const doubles = (text.match(/"/g) ?? []).length;
  const quote = singles > doubles ? '"' : "'";
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replaceAll(quote, `\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

/** An inline literal for strings, numbers, booleans, arrays and plain objects. */
export function tsValue(value: unknown): string {
  if (typeof value === 'string') return tsString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(tsValue).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${IDENTIFIER.test(key) ? key : tsString(key)}: ${tsValue(item)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  throw new Error(`Cannot write ${typeof value} as a TypeScript literal`);
}

/**
 * One `key: 'text',` line of a multi-line object literal, indented by `indent`
 * spaces, laid out as Prettier lays it out with the project's printWidth: on
 * one line when it fits, otherwise the string on the next line, indented one
 * more level. This is Prettier's "break-after-operator" layout for a string
 * literal value; keys narrower than tabWidth + 3 (5 columns) never break
 * (prettier/src/language-js/print/assignment.js, isObjectPropertyWithShortKey).
 * Widths are counted in characters, so key and text must be printable ASCII
 * (generator-made values such as example URLs); throws on anything else.
 */
export function tsStringProperty(key: string, text: string, indent: number): string {
  if (!/^[\x20-\x7e]*$/.test(key + text)) throw new Error(`tsStringProperty lays out printable ASCII only, got ${JSON.stringify(key + text)}`);
  const name = IDENTIFIER.test(key) ? key : tsString(key);
  const literal = tsString(text);
  const oneLine = `${' '.repeat(indent)}${name}: ${literal},`;
  const SHORT_KEY = 2 + 3;
  if (oneLine.length <= PRETTIER_OPTIONS.printWidth || name.length < SHORT_KEY) return oneLine;
  return `${' '.repeat(indent)}${name}:\n${' '.repeat(indent + 2)}${literal},`;
}
