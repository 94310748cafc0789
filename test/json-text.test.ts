/**
 * jsonText lays JSON out exactly as Prettier's `json` parser does with the
 * project's settings, for values of every shape the generator writes and the
 * width boundaries where Prettier switches between one line and one element
 * per line.
 */
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { jsonText } from '../generators/core/json-text.ts';
import { PRETTIER_OPTIONS } from '../generators/core/prettier-options.ts';

const prettierJson = (value: unknown) => prettier.format(JSON.stringify(value, null, 2), { ...PRETTIER_OPTIONS, parser: 'json' });

/** Arrays of strings whose one-line form ends at columns 117 to 123 under a key, as the last and as a middle property. */
const aroundTheWidth = [100, 101, 102, 103, 104, 105, 106].flatMap((length) => {
  const items = ['a'.repeat(length - 20), 'b'.repeat(10)];
  return [{ key: items }, { key: items, after: true }, { outer: { key: items } }];
});

const shapes: Record<string, unknown> = {
  'empty object': {},
  'empty array': [],
  'scalars at the top': 'text',
  'a number': 12.5,
  'nested objects': { a: { b: { c: 1, d: [true, false, null] } } },
  'empty containers inside': { a: [], b: {}, c: [[], {}] },
  'strings with escapes and Unicode': { quote: 'say "hi"', slash: 'a\\b', newline: 'a\nb', tab: 'a\tb', unicode: 'é 日本 🚀', control: '\u0001' },
  'an array of objects with one property': [{ a: 1 }, { b: 2 }],
  'an array of objects with two properties': [{ a: 1, b: 2 }, { c: 3, d: 4 }],
  'an array of one object': [{ a: 1, b: 2 }],
  'an array of short arrays': [[1, 2], [3, 4]],
  'an array of one-element arrays': [[1], [2]],
  'mixed arrays and scalars': [[1, 2], 3],
  'an array of strings that fits': { defaults: ['license', 'observability', 'slo', 'backup', 'loadTest', 'registry'] },
  'a long array of strings': { files: Array.from({ length: 30 }, (_, index) => `file-${index}.ts`) },
  'a long array of numbers': { buckets: Array.from({ length: 60 }, (_, index) => index * 1.25) },
  'a long array of negative and exponent numbers': [Array.from({ length: 40 }, (_, index) => -index * 1e21)],
  'an array of arrays of strings too wide for one line': [Array.from({ length: 12 }, () => 'x'.repeat(12)), ['y']],
  'a dashboard-like document': {
    panels: [{ id: 1, gridPos: { h: 8, w: 12, x: 0, y: 0 }, targets: [{ expr: 'sum(rate(x[5m]))', refId: 'A' }], tags: ['a', 'b'] }],
    templating: { list: [{ name: 'datasource', options: [], query: 'prometheus' }] },
    thresholds: [0.5, 0.9, 0.99],
  },
};

describe('jsonText', () => {
  it.each(Object.entries(shapes))('%s: as Prettier prints it', async (_title, value) => {
    expect(jsonText(value)).toBe(await prettierJson(value));
  });

  it.each(aroundTheWidth.map((value, index) => [index, value] as const))('width boundary %i: as Prettier prints it', async (_index, value) => {
    expect(jsonText(value)).toBe(await prettierJson(value));
  });

  it('drops undefined properties and honours toJSON, as JSON.stringify does', () => {
    expect(jsonText({ a: undefined, b: 1, when: { toJSON: () => 'now' } })).toBe('{\n  "b": 1,\n  "when": "now"\n}\n');
  });

  it('refuses a value with no JSON form and a cycle', () => {
    expect(() => jsonText(undefined)).toThrow('jsonText: the value has no JSON form');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => jsonText(cycle)).toThrow(TypeError);
  });
});
