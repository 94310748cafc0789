/**
 * GitHub-flavoured Markdown tables laid out as Prettier lays them out, by the
 * `markdown-table` formatter: templates and generators write a table's rows
 * plainly (`| a | b |`, delimiter `| --- | --- |`), and the generator aligns
 * the columns when it writes the file, so the file is Prettier-clean without
 * running Prettier. Prettier's rules (prettier/src/language-markdown/print/table.js,
 * with `proseWrap: "preserve"`): every column padded to its widest cell, at
 * least 3 wide, delimiter cells all dashes, one space inside each pipe, cell
 * width measured as Prettier's getStringWidth does (East Asian wide and
 * fullwidth characters and emoji count 2, combining marks 0).
 */
import { eastAsianWidth } from 'get-east-asian-width';
import { markdownTable } from 'markdown-table';

/** A delimiter row without alignment markers: `| --- | --- |`. */
const DELIMITER_ROW = /^\|(?:\s*-+\s*\|)+\s*$/;
/** A delimiter row with alignment colons, which Prettier lays out differently: refused. */
const ALIGNED_DELIMITER_ROW = /^\|(?:\s*:?-+:?\s*\|)+\s*$/;
/** The start of a fenced code block (CommonMark §4.5): up to three spaces, then ``` or ~~~. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** Characters outside printable ASCII: only such text needs the slow width. */
const NOT_ASCII = /[^\x20-\x7f]/;
const EMOJI = /\p{RGI_Emoji}/gv;
/** What every emoji holds (a pictograph, a regional indicator or a keycap mark): a cheap test before the costly EMOJI. */
const MAY_BE_EMOJI = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]|\u20e3/u;
const ZERO_WIDTH = /[\p{Nonspacing_Mark}\p{Enclosing_Mark}]/u;

/** The width of text in a monospace terminal or editor, as Prettier's getStringWidth counts it. */
export function displayWidth(text: string): number {
  if (!NOT_ASCII.test(text)) return text.length;
  let width = 0;
  const rest = !MAY_BE_EMOJI.test(text)
    ? text
    : text.replace(EMOJI, () => {
        width += 2;
        return '';
      });
  for (const character of rest) {
    const codePoint = character.codePointAt(0) as number;
    if (codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f) || ZERO_WIDTH.test(character)) continue;
    width += eastAsianWidth(codePoint);
  }
  return width;
}

/** The cells of one table row: split on pipes that no backslash escapes (GFM §4.10: also inside code spans), trimmed. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  const result: string[] = [];
  let cell = '';
  for (let index = 0; index < inner.length; index++) {
    const character = inner[index] as string;
    if (character === '\\' && index + 1 < inner.length) {
      cell += character + (inner[index + 1] as string);
      index++;
    } else if (character === '|') {
      result.push(cell.trim());
      cell = '';
    } else cell += character;
  }
  result.push(cell.trim());
  return result;
}

/**
 * One table from its header and body rows (cell texts as Markdown inline
 * content, pipes escaped by the caller), without a trailing newline.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = [header, ...rows].map((row) => [...row]);
  // Prettier's columns are at least 3 wide (the delimiter `---`); markdown-table's at least 1: pad a narrow header.
  const columns = Math.max(...table.map((row) => row.length));
  for (let column = 0; column < columns; column++) {
    const widest = Math.max(...table.map((row) => displayWidth(row[column] ?? '')));
    const heading = table[0]?.[column] ?? '';
    if (widest < 3) (table[0] as string[])[column] = heading + ' '.repeat(3 - displayWidth(heading));
  }
  // A row with fewer cells keeps them (Prettier does not fill rows).
  return markdownTable(table, { stringLength: displayWidth, fillRows: false });
}

/**
 * Markdown with every table (header row, delimiter row at the start of a line,
 * outside fenced code) re-laid out by formatTable; everything else unchanged.
 * Throws on a delimiter row with alignment colons, which no template uses.
 */
export function alignMarkdownTables(markdown: string): string {
  if (!markdown.includes('| -')) return markdown;
  const lines = markdown.split('\n');
  const out: string[] = [];
  let fence: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    const opening = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length && line.trim() === opening) fence = undefined;
      out.push(line);
      continue;
    }
    if (opening !== undefined) {
      fence = opening;
      out.push(line);
      continue;
    }
    const next = lines[index + 1];
    if (line.startsWith('|') && next !== undefined && ALIGNED_DELIMITER_ROW.test(next)) {
      if (!DELIMITER_ROW.test(next)) throw new Error(`alignMarkdownTables lays out tables without alignment markers, got ${JSON.stringify(next)}`);
      let end = index + 2;
      while (end < lines.length && (lines[end] as string).startsWith('|')) end++;
      out.push(formatTable(cells(line), lines.slice(index + 2, end).map(cells)));
      index = end - 1;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}
