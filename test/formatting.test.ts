/**
 * Every generated file Prettier handles is Prettier-clean with the project's
 * own settings, for every variant of the app's code and for any text the user
 * gives. No file is formatted at generation time: TypeScript templates are
 * written clean, YAML and JSON come from their serializers with the project's
 * settings (yaml-text.ts, json-text.ts), Markdown templates are written clean
 * and their tables aligned by markdown-table (markdown-tables.ts), and user
 * text is kept in forms Prettier never re-wraps. A failure names the file and
 * shows the diff Prettier would make. A checkout with core.autocrlf=true stays
 * clean (.gitattributes).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import MarkdownIt from 'markdown-it';
import { afterAll, describe, expect, it } from 'vitest';
import * as prettier from 'prettier';
import { renderProject } from '../generators/app/render.ts';
import { listFiles, removeDir, repoRoot, runCli, scratchDir } from './helpers.ts';

const variants = ['postgres', 'none'].flatMap((database) =>
  ['redis', 'none'].flatMap((cache) => [true, false].flatMap((sentry) => [true, false].map((tracing) => ({ database, cache, sentry, tracing })))),
);

const scratch: string[] = [];
afterAll(() => scratch.forEach(removeDir));

/**
 * Expects every rendered file Prettier has a parser for to be exactly what
 * `prettier --check` with the project's .prettierrc.json accepts: a file that
 * is not fails with its path and the diff Prettier would make. Returns how
 * many files were checked.
 */
async function expectPrettierClean(files: ReadonlyMap<string, string>): Promise<number> {
  const config = JSON.parse(files.get('.prettierrc.json') as string);
  let checked = 0;
  for (const [path, content] of files) {
    const info = await prettier.getFileInfo(path);
    if (!info.inferredParser) continue;
    checked++;
    expect.soft(content, `${path} is not Prettier-clean`).toBe(await prettier.format(content, { ...config, filepath: path }));
  }
  expect(checked).toBeGreaterThan(50);
  return checked;
}

/**
 * tsc's syntax errors (TS1xxx) in the rendered TypeScript files. The project's
 * dependencies are not installed here, so unresolved imports and the type
 * errors that follow from them are not counted; the matrix type-checks
 * installed projects.
 */
async function typescriptSyntaxErrors(files: ReadonlyMap<string, string>): Promise<string[]> {
  const directory = scratchDir('cpa-tsc-');
  scratch.push(directory);
  const paths = [...files.keys()].filter((path) => path.endsWith('.ts'));
  for (const path of paths) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), files.get(path) as string);
  }
  const compilerOptions = { noEmit: true, noResolve: true, types: [], target: 'esnext', module: 'nodenext', allowImportingTsExtensions: true, skipLibCheck: true };
  writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: paths }));
  // Its "type": "module" makes the files ES modules, as in the project.
  writeFileSync(join(directory, 'package.json'), files.get('package.json') as string);
  const tsc = await execa(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: directory, reject: false });
  expect(tsc.stdout).toMatch(paths.length > 0 ? /error TS\d+/ : /^$/); // unresolved imports: proves tsc read the files
  return String(tsc.stdout)
    .split('\n')
    .filter((line) => /error TS1\d{3}:/.test(line));
}

/** Project names, owners and descriptions at their limits, with every character class that breaks naive quoting. */
const NAME_AT_LIMIT = `orders-api-${'x'.repeat(52)}`;
const OWNER_AT_LIMIT = `acme-${'o'.repeat(34)}`;
const ODD_TEXT = `It's a "quoted" \\ back\\slash, \${template} \`tick\` */ <!-- comment --> *emphasis* _under_ # heading | pipe | [link](x) é 日本 🚀`;
const userTexts = [
  { title: 'the reported description', name: 'orders-api', owner: 'acme', description: 'Takes customer orders, validates payment details and tracks fulfilment status.' },
  { title: 'odd text at the limits', name: NAME_AT_LIMIT, owner: OWNER_AT_LIMIT, description: `${ODD_TEXT} `.repeat(6).trim() },
  { title: 'one long word', name: NAME_AT_LIMIT, owner: OWNER_AT_LIMIT, description: 'x'.repeat(400) },
  { title: 'Markdown that starts a heading', name: 'orders-api', owner: 'acme', description: '# Orders: *all* of them, <b>bold</b> &amp; [more](x)' },
  { title: 'Markdown that starts a list', name: 'orders-api', owner: 'acme', description: '1. takes orders, 2. ships them <!-- unclosed' },
  { title: 'table and emphasis syntax', name: 'orders-api', owner: 'acme', description: '| a | b | --- |_under_ *star* **strong** `code` <tag> - [ ] ~~gone~~ 1) x' },
];
const stacks = [
  { database: 'postgres', cache: 'redis', sentry: true, tracing: true, ci: 'github', deploy: 'kubernetes' },
  { database: 'none', cache: 'none', ci: 'gitlab', deploy: 'both', registry: `registry.example.com:5000/${'p'.repeat(200)}` },
  { database: 'postgres', cache: 'none', ci: 'none', deploy: 'compose', observability: false, backup: false, loadTest: false, license: 'UNLICENSED' },
];

describe('formatting', () => {
  it.each(variants)('$database, cache $cache, sentry $sentry, tracing $tracing: prettier --check passes', async (variant) => {
    // A description with both kinds of quotes and Markdown emphasis, as users write them.
    const { files } = await renderProject({ name: 'orders-api', description: `Takes *customers'* "orders" & ships them`, ...variant });
    await expectPrettierClean(files);
  });

  it.each(userTexts.flatMap((text) => stacks.map((stack) => ({ ...text, stack, database: stack.database }))))(
    '$title, $database, ci $stack.ci, deploy $stack.deploy: prettier --check passes on every file, tsc finds no syntax error, Markdown shows the text as typed',
    async ({ name, owner, description, stack }) => {
      const { files, answers } = await renderProject({ name, owner, description, ...stack });
      expect(answers).toMatchObject({ name, owner, description });
      expect(JSON.parse(files.get('package.json') as string).description).toBe(description);
      await expectPrettierClean(files);
      expect(await typescriptSyntaxErrors(files)).toEqual([]);
      // In Markdown the description is plain text: rendered, it reads exactly as typed.
      const markdown = new MarkdownIt({ html: true });
      const text = markdown.utils.escapeHtml(description);
      expect(markdown.render(files.get('README.md') as string)).toContain(`</h1>\n<p>${text}</p>\n`);
      expect(markdown.render(files.get('CHANGELOG.md') as string)).toContain(`generated with create-prodready-app: ${text}</li>`);
    },
  );

  it('a checkout with core.autocrlf=true passes format:check: .gitattributes keeps LF', async () => {
    const cwd = scratchDir('cpa-crlf-');
    scratch.push(cwd);
    const created = await runCli(['crlf-svc', '--yes', '--skip-install'], cwd);
    expect(created.exitCode).toBe(0);
    const source = join(cwd, 'crlf-svc');
    expect(readFileSync(join(source, '.gitattributes'), 'utf8')).toMatch(/^\* text=auto eol=lf$/m);
    const formatCheck = (JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['format:check'];
    expect(formatCheck).toBe('prettier --check .');
    const clone = async (from: string, to: string) => {
      await execa('git', ['-c', 'core.autocrlf=true', 'clone', '--quiet', '--config', 'core.autocrlf=true', from, to]);
      return execa(process.execPath, [join(repoRoot, 'node_modules/prettier/bin/prettier.cjs'), '--check', '.'], { cwd: to, reject: false });
    };
    const checked = await clone(source, join(cwd, 'checkout'));
    expect(checked.exitCode).toBe(0);
    expect(listFiles(join(cwd, 'checkout')).filter((path) => readFileSync(join(cwd, 'checkout', path), 'utf8').includes('\r\n'))).toEqual([]);

    // The control: the same repository without .gitattributes checks out with CRLF and fails.
    await execa('git', ['rm', '--quiet', '.gitattributes'], { cwd: source });
    await execa('git', ['-c', 'user.email=test@localhost', '-c', 'user.name=test', 'commit', '--quiet', '-m', 'drop .gitattributes'], { cwd: source });
    const control = await clone(source, join(cwd, 'control'));
    expect(control.exitCode).toBe(1);
    expect(readFileSync(join(cwd, 'control', 'package.json'), 'utf8')).toContain('\r\n');
  });
});
