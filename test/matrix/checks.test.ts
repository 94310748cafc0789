/** Each shipped check passes clean files and fails the faults it exists to find. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultToolsDir } from '../../matrix/cache.ts';
import type { Check, CheckContext, Finding } from '../../matrix/check.ts';
import markdownLinks from '../../matrix/checks/markdown-links.ts';
import parse from '../../matrix/checks/parse.ts';
import prettier from '../../matrix/checks/prettier.ts';
import secretScan from '../../matrix/checks/secret-scan.ts';
import templateMarkers from '../../matrix/checks/template-markers.ts';
import { loadChecks } from '../../matrix/load-checks.ts';

const toolsDir = defaultToolsDir();
const scratch = mkdtempSync(join(tmpdir(), 'matrix-checks-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
/** Runs a check as the runner does in a batch of one: the files under "0/", the checked ones named. */
async function check(subject: Check, files: Record<string, string>, checked = Object.keys(files)): Promise<Finding[]> {
  const directory = join(scratch, String(runs++));
  for (const [path, content] of Object.entries(files)) {
    const target = join(directory, '0', path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  const context: CheckContext = { toolsDir, log: () => {}, files: checked.map((path) => `0/${path}`) };
  return subject.run(directory, context);
}

describe('template-markers', () => {
  it('passes rendered text and code that uses undefined as a value', async () => {
    const code = "export function f(x?: string) {\n  if (typeof x === 'undefined') return undefined;\n  return Number.isNaN(Number(x)) ? null : x;\n}\n";
    const markdown = '# Config\n\nUnset values are `undefined`.\n\n```ts\nconst a = undefined;\n```\n';
    expect(await check(templateMarkers, { 'src/f.ts': code, 'README.md': markdown })).toEqual([]);
  });

  it('finds EJS markers, leaked values and placeholders, with their lines', async () => {
    const findings = await check(templateMarkers, {
      'README.md': '# x\n\nPort <%= port %>\n',
      'docs/a.md': '# A\n\nThe limit is undefined per minute.\n',
      'config.yaml': 'retries: NaN\nowner: "[object Object]"\n',
      'src/a.ts': "export const url = 'redis://undefined:6379';\n",
      'CONTRIBUTING.md': '# Contributing\n\nTODO: write this\n',
      'LICENSE': 'Copyright (c) <year> <copyright holders>\n',
    });
    expect(findings.map((finding) => `${finding.file} ${finding.message}`).sort()).toEqual([
      '0/CONTRIBUTING.md line 3: placeholder text "TODO"',
      '0/LICENSE line 1: unfilled placeholder "<copyright holders>"',
      '0/LICENSE line 1: unfilled placeholder "<year>"',
      '0/README.md line 3: unrendered EJS marker "%>"',
      '0/README.md line 3: unrendered EJS marker "<%"',
      '0/config.yaml line 1: "NaN" printed where a value was expected',
      '0/config.yaml line 2: an object printed as text: "[object Object]"',
      '0/docs/a.md line 3: "undefined" printed where a value was expected',
      '0/src/a.ts line 1: "undefined" printed where a value was expected',
    ]);
  });
});

describe('parse', () => {
  it('passes valid JSON, JSON with comments where tools read it, and multi-document YAML', async () => {
    expect(
      await check(parse, {
        'package.json': '{"name": "a"}\n',
        'tsconfig.json': '{\n  // strict\n  "compilerOptions": { "strict": true, },\n}\n',
        'deploy/all.yaml': 'kind: A\n---\nkind: B\n',
      }),
    ).toEqual([]);
  });

  it('finds invalid JSON, comments where they are not allowed, duplicate keys and invalid YAML', async () => {
    const findings = await check(parse, {
      'package.json': '{"name": "a",}\n',
      '.yo-rc.json': '{\n  // no comments here\n  "a": 1\n}\n',
      'data.json': '{"a": 1, "a": 2}\n',
      'deploy/all.yaml': 'kind: A\n---\nkind: [B\n',
      'compose.yaml': 'services:\n  app: {}\nservices:\n  db: {}\n',
    });
    const byFile = Object.fromEntries(findings.map((finding) => [finding.file, finding.message]));
    expect(Object.keys(byFile).sort()).toEqual(['0/.yo-rc.json', '0/compose.yaml', '0/data.json', '0/deploy/all.yaml', '0/package.json']);
    expect(byFile['0/data.json']).toMatch(/unique/i);
    expect(byFile['0/compose.yaml']).toMatch(/^YAML: .*unique/i);
  });
});

describe('markdown-links', () => {
  const tree = { 'docs/runbooks/deploy.md': '# Deploy\n', 'scripts/backup.sh': '' };

  it('passes links to generated files, directories and headings, and ignores URLs', async () => {
    const readme = '# Project\n\n## Quick start\n\nSee [deploy](docs/runbooks/deploy.md#deploy), [runbooks](docs/runbooks/), [backup](./scripts/backup.sh), [start](#quick-start), [site](https://example.com/x.md), <a href="docs/runbooks/deploy.md">d</a>.\n\n[ref]: /docs/runbooks/deploy.md\n';
    expect(await check(markdownLinks, { ...tree, 'README.md': readme }, ['README.md'])).toEqual([]);
  });

  it('finds links to files that are not generated, unknown headings and paths outside the project', async () => {
    const readme = '# Project\n\nSee [restore](docs/runbooks/restore.md), [top](#nowhere) and [up](../other/README.md).\n\n```md\n[in code](missing.md)\n```\n';
    const findings = await check(markdownLinks, { ...tree, 'README.md': readme }, ['README.md']);
    expect(findings.map((finding) => finding.message)).toEqual([
      'line 3: link "docs/runbooks/restore.md" points to docs/runbooks/restore.md, which is not generated',
      'line 3: link "#nowhere" names no heading of this file',
      'line 3: link "../other/README.md" points outside the project',
    ]);
  });
});

describe('prettier', () => {
  it('passes formatted files and fails unformatted ones, with the project configuration applied', async () => {
    const formatted = 'export const a = { b: 1 };\n';
    expect(await check(prettier, { 'src/a.ts': formatted, 'README.md': '# Title\n' })).toEqual([]);
    const findings = await check(prettier, { 'src/a.ts': 'export const a = {b:1}\n', 'data.json': '{"a":1,\n"b":2}' });
    expect(findings.map((finding) => finding.file).sort()).toEqual(['0/data.json', '0/src/a.ts']);
    expect(findings.find((finding) => finding.file === '0/src/a.ts')?.message).toMatch(/line 1: is "export const a = \{b:1\}", Prettier writes "export const a = \{ b: 1 \};"/);
    // .editorconfig is configuration: four-space indentation makes two-space files unformatted.
    const nested = 'export function f() {\n  return 1;\n}\n';
    expect(await check(prettier, { 'src/f.ts': nested })).toEqual([]);
    expect(await check(prettier, { 'src/f.ts': nested, '.editorconfig': 'root = true\n[*]\nindent_style = space\nindent_size = 4\n' }, ['src/f.ts'])).toHaveLength(1);
  });
});

function gitleaksInstalled(): boolean {
  try {
    execFileSync(join(toolsDir, 'bin', 'gitleaks'), ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('secret-scan', () => {
  // gitleaks comes from matrix/tools/install.sh; CI installs the tools before the matrix runs.
  it.skipIf(!gitleaksInstalled())('finds a committed credential and passes clean files', async () => {
    process.env.PATH = `${join(toolsDir, 'bin')}:${process.env.PATH}`;
    expect(await secretScan.tool({ toolsDir, log: () => {} })).toMatch(/^gitleaks \d+\.\d+\.\d+$/);
    expect(await check(secretScan, { '.env.example': 'DATABASE_URL=postgres://app:app@localhost:5432/app\n', 'README.md': '# x\n' })).toEqual([]);
    const findings = await check(secretScan, { 'src/aws.ts': "export const key = 'AKIAIOSFODNN7EXAMPLA';\nexport const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYZZ';\n", 'README.md': '# x\n' });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((finding) => finding.file === '0/src/aws.ts')).toBe(true);
  });
});

describe('check modules', () => {
  it('are all found in matrix/checks/, with unique names and the shipped ones among them', async () => {
    const names = (await loadChecks()).map(({ check }) => check.name);
    expect(names).toEqual(expect.arrayContaining(['prettier', 'secret-scan', 'template-markers', 'parse', 'markdown-links']));
    expect(new Set(names).size).toBe(names.length);
  });
});
