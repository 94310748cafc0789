/**
 * yamlText writes YAML that Prettier leaves as it is with the project's
 * settings, and the files read by YAML 1.1 parsers (compose, GitHub Actions,
 * GitLab CI) read back as the same data under YAML 1.1 and 1.2: the check each
 * generation run used to make by parsing its own output twice, made here for
 * the serializer's rules and for every such file of a spread of projects.
 */
import * as prettier from 'prettier';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderProject } from '../generators/app/render.ts';
import { PRETTIER_OPTIONS } from '../generators/core/prettier-options.ts';
import { yamlComment, yamlFile, yamlText } from '../generators/core/yaml-text.ts';

const prettierYaml = (text: string) => prettier.format(text, { ...PRETTIER_OPTIONS, parser: 'yaml' });

/** Strings whose quoting differs between Prettier, YAML 1.1 and YAML 1.2, or that need quotes at all. */
const awkward = [
  'on', 'off', 'yes', 'no', 'y', 'n', 'true', 'null', '~', '', ' ', '0755', '0x1f', '1_000', '1:20', '1.0', '.5', '1e3', '.inf', '-.nan',
  "it's", 'say "hi"', `both ' and "`, 'a: b', 'a #b', '#comment', '- item', '* star', '&anchor', '*alias', '!tag', '%directive', '@at', '`tick`',
  '{{ $labels.job }}: text', '[x]', '{x}', '|', '>', '?', 'tab\there', 'line\nbreak', 'trailing ', ' leading', '日本 🚀', `${'long '.repeat(40)}end`,
  '---', '...', '${VARIABLE:-default}', '127.0.0.1:6379:6379',
];

describe('yamlText', () => {
  it.each([false, true])('YAML 1.1 quoting %s: Prettier-clean, and reads back as the same data under YAML 1.1 and 1.2', async (yaml11) => {
    const document = {
      strings: awkward,
      mapping: Object.fromEntries(awkward.filter((text) => text !== '').map((text, index) => [`key${index}`, text])),
      numbers: [0, 1.5, -3, 1e21],
      flags: [true, false, null],
      empty: { list: [], map: {} },
      nested: [{ name: 'a', with: { 'on': 'push', value: 'no' } }],
    };
    const text = yamlText(document, { yaml11 });
    expect(text).toBe(await prettierYaml(text));
    expect(parse(text, { version: '1.2' })).toEqual(document);
    if (yaml11) expect(parse(text, { version: '1.1' })).toEqual(document);
  });

  it('quotes as Prettier does with singleQuote: single unless the text holds a single quote and no double quote', () => {
    expect(yamlText({ a: 'on', b: "it's: x", c: 'say "hi": x', d: `both ' and ": x` }, { yaml11: true })).toBe(
      `a: 'on'\nb: "it's: x"\nc: 'say "hi": x'\nd: 'both '' and ": x'\n`,
    );
  });

  it('writes null as an empty value when asked, and as null otherwise', () => {
    expect(yamlText({ a: null }, { emptyNull: true })).toBe('a:\n');
    expect(yamlText({ a: null })).toBe('a: null\n');
  });

  it('a file: comment lines, then documents separated by ---', async () => {
    const text = yamlFile('\nFirst line\n\nThird line\n', [{ a: 1 }, { b: [1, 2] }]);
    expect(text).toBe('# First line\n#\n# Third line\na: 1\n---\nb:\n  - 1\n  - 2\n');
    expect(text).toBe(await prettierYaml(text));
    expect(yamlComment('one')).toBe('# one');
  });
});

const projects = [
  { name: 'orders-api', ci: 'github', deploy: 'both', cache: 'redis', database: 'postgres', sentry: true, tracing: true },
  { name: 'orders-api', ci: 'gitlab', deploy: 'compose', cache: 'none', database: 'none', observability: false },
  { name: 'orders-api', ci: 'gitlab', deploy: 'both', cache: 'redis', database: 'postgres', registry: 'registry.example.com:5000/team' },
];
const READ_BY_YAML_1_1 = /^(compose(\.production)?\.yaml|\.gitlab-ci\.yml|\.gitlab\/.*\.ya?ml|\.github\/workflows\/.*\.ya?ml)$/;

describe('files read by YAML 1.1 parsers', () => {
  it.each(projects)('ci $ci, deploy $deploy: compose and pipeline files read back the same under YAML 1.1 and 1.2', async (answers) => {
    const { files } = await renderProject(answers);
    const read = [...files.keys()].filter((path) => READ_BY_YAML_1_1.test(path));
    expect(read).toEqual(expect.arrayContaining(['compose.yaml']));
    expect(read.length).toBeGreaterThan(answers.deploy === 'compose' ? 2 : 3);
    for (const path of read) {
      const text = files.get(path) as string;
      expect(parse(text, { version: '1.1' }), path).toEqual(parse(text, { version: '1.2' }));
    }
  });
});
