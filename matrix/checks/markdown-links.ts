/**
 * Every relative link in every generated Markdown file resolves: its path
 * (without #anchor or ?query) names a generated file or directory, and a link
 * to an anchor of the same file names one of its headings. Links with a
 * scheme (https:, mailto:...) are out of scope.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative } from 'node:path';
import type { Check, Finding } from '../check.ts';
import { checkedFiles, lineAt, markdownProse } from '../check-helpers.ts';

const INLINE_LINK = /!?\[(?:[^\]\\\n]|\\.)*\]\(\s*(<[^>\n]*>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)/gm;
const HTML_LINK = /<(?:a|img)\s[^>]*?\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const HTML_ANCHOR = /<[a-z]+\s[^>]*?\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

/** GitHub's heading anchors (github-slugger): lowercase, punctuation dropped, spaces as "-", repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const prose = markdownProse(markdown);
  const headings: string[] = [];
  const lines = prose.split('\n');
  const original = markdown.split('\n');
  lines.forEach((line, index) => {
    const atx = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) headings.push((original[index] as string).replace(/^ {0,3}#{1,6}[ \t]+/, '').replace(/[ \t]+#+[ \t]*$/, ''));
    else if (index > 0 && /^ {0,3}(=+|-+)[ \t]*$/.test(line) && (lines[index - 1] as string).trim() !== '' && !/^ {0,3}([-*+]|#)/.test(lines[index - 1] as string)) {
      headings.push((original[index - 1] as string).trim());
    }
  });
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const heading of headings) {
    const text = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*]/g, '')
      .trim()
      .toLowerCase();
    const base = text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    anchors.add(seen === 0 ? base : `${base}-${seen}`);
  }
  for (const match of markdown.matchAll(HTML_ANCHOR)) anchors.add((match[1] ?? match[2]) as string);
  return anchors;
}

interface Link {
  target: string;
  offset: number;
}

export function markdownLinks(markdown: string): Link[] {
  const prose = markdownProse(markdown);
  const links: Link[] = [];
  for (const pattern of [INLINE_LINK, REFERENCE_DEFINITION]) {
    for (const match of prose.matchAll(pattern)) links.push({ target: (match[1] as string).replace(/^<(.*)>$/, '$1'), offset: match.index ?? 0 });
  }
  for (const match of prose.matchAll(HTML_LINK)) links.push({ target: (match[1] ?? match[2]) as string, offset: match.index ?? 0 });
  return links.sort((a, b) => a.offset - b.offset);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Findings for one Markdown file at `path`, inside the project at `root`. */
export function linkFindings(file: string, path: string, root: string, markdown: string): Finding[] {
  const findings: Finding[] = [];
  let anchors: Set<string> | undefined;
  for (const { target, offset } of markdownLinks(markdown)) {
    const where = `line ${lineAt(markdown, offset)}: link "${target}"`;
    if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
    if (target.startsWith('#')) {
      anchors ??= headingAnchors(markdown);
      const anchor = decode(target.slice(1));
      if (!anchors.has(anchor)) findings.push({ file, message: `${where} names no heading of this file` });
      continue;
    }
    const pathPart = decode(target.replace(/[#?].*$/, ''));
    if (pathPart === '') continue;
    const resolved = pathPart.startsWith('/') ? join(root, pathPart) : join(dirname(path), pathPart);
    const inside = relative(root, resolved);
    if (inside.startsWith('..') || isAbsolute(inside)) findings.push({ file, message: `${where} points outside the project` });
    else if (!existsSync(resolved)) findings.push({ file, message: `${where} points to ${inside.split('\\').join('/') || '.'}, which is not generated` });
  }
  return findings;
}

/** The project-relative paths the relative links of the Markdown file at `path` point to (before any existence test). */
export function linkTargets(path: string, markdown: string): string[] {
  const targets: string[] = [];
  for (const { target } of markdownLinks(markdown)) {
    if (target === '' || target.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
    const pathPart = decode(target.replace(/[#?].*$/, ''));
    if (pathPart === '') continue;
    targets.push(pathPart.startsWith('/') ? pathPart.slice(1) : posix.join(posix.dirname(path), pathPart));
  }
  return targets;
}

const check: Check = {
  name: 'markdown-links',
  inputs: ['**/*.md'],
  presenceOf: linkTargets,
  granularity: 'file',
  batch: 200,
  tool: async () => 'markdown-links (built in)',
  async run(directory, context) {
    const findings: Finding[] = [];
    for (const { file, path, root } of checkedFiles(directory, context, true)) findings.push(...linkFindings(file, path, root, await readFile(path, 'utf8')));
    return findings;
  },
};

export default check;
