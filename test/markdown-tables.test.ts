/**
 * alignMarkdownTables lays tables out exactly as Prettier does with the
 * project's settings, whatever the cells hold, and leaves everything else of
 * the document alone.
 */
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { alignMarkdownTables, displayWidth } from '../generators/core/markdown-tables.ts';
import { PRETTIER_OPTIONS } from '../generators/core/prettier-options.ts';

const prettierMarkdown = (text: string) => prettier.format(text, { ...PRETTIER_OPTIONS, parser: 'markdown' });

const documents: Record<string, string> = {
  'a plain table': '# Title\n\n| Variable | Required | Description |\n| --- | --- | --- |\n| `PORT` | no | TCP port of the HTTP server. |\n| `DATABASE_URL` | yes | PostgreSQL connection URL. |\n',
  'columns narrower than the delimiter': '| A | B |\n| --- | --- |\n| 1 | |\n| x | yz |\n',
  'an empty cell and a row with fewer cells': '| Metric | Type | Labels |\n| --- | --- | --- |\n| `db_pool_max_connections` | gauge | |\n| `up` | gauge |\n',
  'escaped pipes and pipes in code spans': '| Expression | Meaning |\n| --- | --- |\n| `a \\| b` | either |\n| x \\| y | text with a pipe |\n',
  'wide and zero-width characters': '| Name | Text |\n| --- | --- |\n| 日本語 | 🚀 launch |\n| café | e\u0301 combining |\n| ascii | plain |\n',
  'Markdown inside cells': '| Link | Emphasis |\n| --- | --- |\n| [0001](0001-nodejs.md) | _accepted_ **bold** |\n| <https://example.com> | `code` |\n',
  'two tables and prose between': '| A | B |\n| --- | --- |\n| long cell text | x |\n\nSome prose | with a pipe.\n\n| C |\n| --- |\n| y |\n',
  'a table after a fenced block holding a table-like line': '```text\n| a | b |\n| --- | --- |\n```\n\n| Key | Value |\n| --- | --- |\n| k | a long value |\n',
  'a very wide table': `| Column | Text |\n| --- | --- |\n| a | ${'word '.repeat(60).trim()} |\n`,
};

describe('alignMarkdownTables', () => {
  it.each(Object.entries(documents))('%s: as Prettier lays it out', async (_title, markdown) => {
    expect(alignMarkdownTables(markdown)).toBe(await prettierMarkdown(markdown));
  });

  it('leaves a document without tables unchanged, byte for byte', () => {
    const text = '# Title\n\nA paragraph | with a pipe, and - a dash.\n\n- item\n';
    expect(alignMarkdownTables(text)).toBe(text);
  });

  it('leaves a table inside fenced code as written', () => {
    const text = '~~~markdown\n| a | b |\n| --- | --- |\n~~~\n';
    expect(alignMarkdownTables(text)).toBe(text);
  });

  it('refuses alignment markers, which it does not lay out', () => {
    expect(() => alignMarkdownTables('| a | b |\n| :-- | --: |\n| 1 | 2 |\n')).toThrow('alignMarkdownTables lays out tables without alignment markers, got "| :-- | --: |"');
  });
});

describe('displayWidth', () => {
  it.each([
    ['ascii', 5],
    ['日本', 4],
    ['🚀', 2],
    ['e\u0301', 1],
    ['—', 1],
    ['', 0],
  ] as const)('%j is %i columns wide', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});
