/**
 * JSON files laid out as Prettier's `json` parser prints JSON.stringify output
 * with the project's settings, so they are Prettier-clean as generated (no
 * formatting pass). The rules, from prettier/src/language-js/print (object.js,
 * array.js) applied to text that JSON.stringify(value, null, 2) wrote:
 * - a non-empty object keeps one property per line (Prettier preserves an
 *   object that has a line break after its `{`, and JSON.stringify always
 *   writes one), and so breaks every array or object that holds it;
 * - an array of two or more elements that are all objects, or all arrays,
 *   with more than one entry each, is one element per line;
 * - an array of numbers only fills lines up to the print width;
 * - any other array is printed on one line, `[a, b]`, when that line (with
 *   its indentation, key and trailing comma) fits the print width, else one
 *   element per line;
 * - strings as JSON.stringify writes them; numbers too, but with no `+` in
 *   an exponent (`1e21`: Prettier's printNumber); two-space indent; trailing
 *   newline.
 * `package.json` is printed by Prettier's `json-stringify` parser, which is
 * exactly JSON.stringify(value, null, 2): write it with that, not with this.
 * `test/json-text.test.ts` compares this with Prettier on values of every shape.
 */
import { PRETTIER_OPTIONS } from './prettier-options.ts';

const INDENT = '  ';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a value prints over several lines whatever the width (it is or holds a non-empty object). */
function alwaysBreaks(value: Json): boolean {
  if (isObject(value)) return Object.keys(value).length > 0;
  if (Array.isArray(value)) return value.some(alwaysBreaks) || breaksAsMatrix(value);
  return false;
}

/** Prettier's isConciselyPrintedArray's sibling in array.js: 2+ elements, all objects (or all arrays) with more than one entry. */
function breaksAsMatrix(array: readonly Json[]): boolean {
  if (array.length < 2) return false;
  const first = array[0];
  const kind = Array.isArray(first) ? 'array' : isObject(first) ? 'object' : undefined;
  if (!kind) return false;
  return array.every((element) =>
    kind === 'array' ? Array.isArray(element) && element.length > 1 : isObject(element) && Object.keys(element).length > 1,
  );
}

/** A scalar: strings as JSON.stringify writes them, numbers without an exponent's `+` (prettier/src/utils/print-number.js). */
function scalar(value: null | boolean | number | string): string {
  return typeof value === 'number' ? JSON.stringify(value).replace('e+', 'e') : JSON.stringify(value);
}

/** The one-line form of a value that does not always break. */
function flat(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(flat).join(', ')}]`;
  if (isObject(value)) return '{}';
  return scalar(value);
}

/**
 * The value printed at `depth` (indentation levels), where `column` characters
 * (indentation and key) already precede it on its first line and `suffix`
 * characters (a trailing comma) follow it on its last.
 */
function print(value: Json, depth: number, column: number, suffix: number): string {
  const inner = INDENT.repeat(depth + 1);
  const close = INDENT.repeat(depth);
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return '{}';
    const lines = keys.map((key, index) => {
      const prefix = `${JSON.stringify(key)}: `;
      const comma = index < keys.length - 1 ? 1 : 0;
      return `${inner}${prefix}${print(value[key] as Json, depth + 1, inner.length + prefix.length, comma)}${comma ? ',' : ''}`;
    });
    return `{\n${lines.join('\n')}\n${close}}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (!alwaysBreaks(value)) {
      const line = flat(value);
      if (column + line.length + suffix <= PRETTIER_OPTIONS.printWidth) return line;
      if (value.length > 1 && value.every((element) => typeof element === 'number')) return fillNumbers(value as number[], inner, close);
    }
    const lines = value.map((element, index) => {
      const comma = index < value.length - 1 ? 1 : 0;
      return `${inner}${print(element, depth + 1, inner.length, comma)}${comma ? ',' : ''}`;
    });
    return `[\n${lines.join('\n')}\n${close}]`;
  }
  return scalar(value);
}

/** Numbers filling lines of the print width, as Prettier's fill() lays out a concisely printed array. */
function fillNumbers(numbers: readonly number[], inner: string, close: string): string {
  const lines: string[] = [];
  let line = '';
  numbers.forEach((number, index) => {
    const item = `${scalar(number)}${index < numbers.length - 1 ? ',' : ''}`;
    if (line === '') line = item;
    else if (inner.length + line.length + 1 + item.length <= PRETTIER_OPTIONS.printWidth) line += ` ${item}`;
    else {
      lines.push(line);
      line = item;
    }
  });
  lines.push(line);
  return `[\n${lines.map((text) => `${inner}${text}`).join('\n')}\n${close}]`;
}

/**
 * A JSON file's text, Prettier-clean with the project's settings: `value` is
 * anything JSON.stringify accepts (undefined properties are dropped, as it
 * does; toJSON is honoured). Throws a TypeError for what JSON.stringify throws
 * on (cycles, BigInt) and for a value with no JSON form.
 */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('jsonText: the value has no JSON form');
  return `${print(JSON.parse(text) as Json, 0, 0, 0)}\n`;
}
