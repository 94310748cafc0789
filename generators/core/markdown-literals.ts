/**
 * User text written into Markdown as plain text: it reads the same in the
 * rendered document as in package.json, whatever Markdown it looks like.
 */

/**
 * ASCII punctuation that can start Markdown syntax inside a line: escapes,
 * code spans, emphasis, links and images, raw HTML and comments, GitHub's
 * strikethrough. CommonMark (§2.4) lets a backslash escape any of them.
 */
const INLINE_SYNTAX = /[\\`*_[\]<~]/g;
/** An ampersand that starts an entity or numeric character reference (CommonMark §6.2). */
const ENTITY_START = /&(?=#|[A-Za-z0-9]+;)/g;

/** Characters that start a block (heading, quote, list, thematic break, setext underline) at the beginning of a line. */
const BLOCK_START = /^(\s*)([#>+=-])/;
/** An ordered list marker: digits followed by "." or ")" at the beginning of a line. */
const ORDERED_LIST_START = /^(\s*\d{1,9})([.)])/;

/**
 * One line of plain text as Markdown inline content that renders as exactly
 * that text (CommonMark 0.31 with GitHub's extensions), by backslash escapes.
 * Expects one line (the description option refuses newlines); throws on a
 * line break.
 */
export function markdownText(text: string): string {
  if (/[\r\n]/.test(text))
    throw new Error(
      `markdownText writes one line, got ${JSON.stringify(text)}`,
    );
  return text
    .replace(INLINE_SYNTAX, (character) => `\\${character}`)
    .replace(ENTITY_START, "\\&")
    .replace(BLOCK_START, "$1\\$2")
    .replace(ORDERED_LIST_START, "$1\\$2");
}
