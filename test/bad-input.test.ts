/**
 * Bad input: every case exits non-zero with a message that says what is wrong
 * (and how to fix it), and writes nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, readTree, removeDir, runCli, scratchDir } from './helpers.ts';

interface BadInput {
  title: string;
  args: string[];
  message: RegExp;
  /** Files present before the run (they must be left exactly as they were). */
  setup?: Record<string, string | Buffer>;
}

const QUIET = ['--skip-install', '--skip-git'];

/** A .yo-rc.json as the generator saves it: answers over the defaults, and the `defaults` record unless it is undefined (older versions). */
function savedRecord(answers: Record<string, unknown>, defaults?: unknown): string {
  const record = { version: '0.1.0', name: 'svc', ...answers, ...(defaults === undefined ? {} : { defaults }) };
  return `${JSON.stringify({ 'create-prodready-app': record }, null, 2)}\n`;
}

const cases: BadInput[] = [
  {
    title: 'uppercase directory name',
    args: ['My_App', '--yes'],
    message: /^Error: The directory name "My_App" is not a valid project name: it contains uppercase letters; .* Keep the directory and pass --name my-app, or choose a directory named like the project\.$/,
  },
  { title: 'uppercase and underscore in --name', args: ['--name', 'My_App', '--yes'], message: /--name: "My_App" is not valid: it contains uppercase letters.*Try "my-app"/ },
  {
    title: 'scoped package name as the directory',
    args: ['@acme/orders', '--yes'],
    message: /^Error: "@acme\/orders" is a scoped npm package name, not a directory\. .*cannot be scoped \(--name does not take one either\): use create-prodready-app orders\.$/,
  },
  { title: 'scoped package name as --name', args: ['--name', '@acme/orders', '--yes'], message: /--name: "@acme\/orders" is not valid: .*only lowercase letters, digits and "-"\. Try "acme-orders"/ },
  { title: 'dot in the name', args: ['my.app', '--yes'], message: /The directory name "my\.app" is not a valid project name: it may contain only lowercase letters, digits and "-"\. Keep the directory and pass --name my-app/ },
  { title: 'name starting with a digit', args: ['1service', '--yes'], message: /The directory name "1service" is not a valid project name: it must start with a letter.*pass --name service/ },
  { title: 'name longer than a DNS label', args: [`a${'b'.repeat(63)}`, '--yes'], message: /64 characters long; Kubernetes names allow at most 63/ },
  { title: 'name that npm reserves', args: ['http', '--yes'], message: /rejected by npm \(http is a core module name\)/ },
  { title: 'name ending with a hyphen', args: ['--name', 'orders-', '--yes'], message: /must start and end with a letter or digit.*Try "orders"/ },
  { title: 'empty name', args: ['--name=', '--yes'], message: /--name: "" is not valid: it must not be empty/ },
  { title: 'misspelt flag', args: ['svc', '--databse', 'postgres'], message: /Unknown option --databse\. Did you mean --database\?/ },
  { title: 'unknown flag', args: ['svc', '--verbose'], message: /Unknown option --verbose\..*--help/ },
  { title: 'unknown short flag', args: ['svc', '-x'], message: /Unknown option -x/ },
  {
    title: 'a command after an option',
    args: ['--dry-run', 'upgrade'],
    message: /^Error: "upgrade" is a command, so it comes first: create-prodready-app upgrade \[options\]\. For a project in a directory named upgrade, write \.\/upgrade\.$/,
  },
  { title: 'add after an option, with its feature', args: ['--force', 'add', 'redis'], message: /^Error: "add" is a command, so it comes first: create-prodready-app add \[options\]\./ },
  { title: 'invalid database', args: ['svc', '--database', 'mysql'], message: /--database: "mysql" is not one of postgres, none\./ },
  { title: 'near-miss choice', args: ['svc', '--ci', 'gitlb'], message: /not one of github, gitlab, none\. Did you mean gitlab\?/ },
  { title: 'invalid deploy target', args: ['svc', '--deploy', 'swarm'], message: /"swarm" is not one of kubernetes, compose, both/ },
  { title: 'unsupported license', args: ['svc', '--license', 'GPL-3.0'], message: /"GPL-3.0" is not one of MIT, Apache-2.0, BSD-3-Clause, MPL-2.0, UNLICENSED/ },
  { title: 'invalid cache', args: ['svc', '--cache', 'memcached'], message: /"memcached" is not one of redis, none/ },
  { title: 'SLO that is not a number', args: ['svc', '--slo', 'abc'], message: /--slo: "abc" must be a number/ },
  { title: 'SLO of 100 percent', args: ['svc', '--slo', '100'], message: /from 90 up to \(not including\) 100/ },
  { title: 'SLO with too many decimals', args: ['svc', '--slo', '99.99999'], message: /at most 3 decimals/ },
  { title: 'invalid registry host', args: ['svc', '--registry', 'bad host!'], message: /must be ghcr, dockerhub, or a registry host/ },
  { title: 'owner with spaces and capitals', args: ['svc', '--owner', 'Acme Corp'], message: /--owner: "Acme Corp" is not valid: it must be lowercase letters/ },
  { title: 'empty description', args: ['svc', '--description', ' '], message: /--description: "" is not valid: it must not be empty/ },
  { title: 'boolean flag with a non-boolean value', args: ['svc', '--observability=maybe'], message: /--observability: "maybe" is not a boolean/ },
  { title: 'negated flag with a value', args: ['svc', '--no-tracing=yes'], message: /--no-tracing takes no value/ },
  { title: 'run control with a value', args: ['svc', '--dry-run=yes'], message: /--dry-run takes no value/ },
  { title: 'backups without a database', args: ['svc', '--backup', '--database', 'none'], message: /Incompatible options: --backup needs --database postgres/ },
  { title: 'SLO without monitoring', args: ['svc', '--slo', '99.5', '--no-observability'], message: /Incompatible options: --slo needs --observability/ },
  { title: 'flag missing its value', args: ['svc', '--database'], message: /--database needs a value: postgres, none/ },
  { title: 'two directories', args: ['one', 'two'], message: /Expected one directory, got 2: one two/ },
  { title: 'flag given twice', args: ['svc', '--database', 'none', '--database', 'postgres'], message: /--database is given more than once/ },
  {
    title: 'two answers files',
    args: ['svc', '--answers-file', 'a.yaml', '--answers-file', 'b.yaml'],
    setup: { 'a.yaml': 'database: none\n', 'b.yaml': 'cache: redis\n' },
    message: /^Error: --answers-file is given more than once\.$/,
  },
  { title: 'run control given twice', args: ['svc', '--yes', '-y'], message: /^Error: --yes is given more than once\.$/ },
  { title: 'no project name without a TTY', args: ['--yes'], message: /Missing: the project name\. Give a directory .* or --name/ },
  { title: 'several problems at once', args: ['Bad!', '--database', 'mysql', '--slo', 'x'], message: /3 problems:[\s\S]*"Bad!"[\s\S]*"mysql"[\s\S]*"x"/ },
  { title: 'answers file that does not exist', args: ['svc', '--answers-file', 'missing.yaml'], message: /--answers-file .*missing\.yaml: cannot read it \(no such file\)/ },
  {
    title: 'answers file with broken YAML',
    args: ['svc', '--answers-file', 'answers.yaml'],
    setup: { 'answers.yaml': 'database: postgres\ncache: [redis\n' },
    message: /answers\.yaml: not valid YAML \(line \d+, column \d+/,
  },
  {
    title: 'answers file with broken JSON',
    args: ['svc', '--answers-file', 'answers.json'],
    setup: { 'answers.json': '{ "database": "postgres", }' },
    message: /answers\.json: not valid JSON \(.*line 1 column 27/,
  },
  {
    title: 'answers file that is a list',
    args: ['svc', '--answers-file', 'answers.yaml'],
    setup: { 'answers.yaml': '- database\n- cache\n' },
    message: /expected a mapping of option names to values/,
  },
  {
    title: 'answers file with an unknown key',
    args: ['svc', '--answers-file', 'answers.yaml'],
    setup: { 'answers.yaml': 'databse: none\n' },
    message: /unknown option "databse"\. Did you mean database\?/,
  },
  {
    title: 'answers file with an invalid value',
    args: ['svc', '--answers-file', 'answers.json'],
    setup: { 'answers.json': '{ "database": "mongo" }' },
    message: /database \(.*answers\.json\): "mongo" is not one of postgres, none/,
  },
  {
    title: 'answers file in UTF-16 with a byte order mark (JSON)',
    args: ['svc', '--answers-file', 'answers.json'],
    setup: { 'answers.json': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{ "database": "none" }', 'utf16le')]) },
    message: /^Error: --answers-file .*answers\.json: the file is UTF-16 \(or UTF-32\); save it as UTF-8\.$/,
  },
  {
    title: 'answers file in UTF-16 big-endian with a byte order mark (YAML)',
    args: ['svc', '--answers-file', 'answers.yaml'],
    setup: { 'answers.yaml': Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('database: none\n', 'utf16le').swap16()]) },
    message: /^Error: --answers-file .*answers\.yaml: the file is UTF-16 \(or UTF-32\); save it as UTF-8\.$/,
  },
  {
    title: 'answers file in UTF-16 without a byte order mark (YAML)',
    args: ['svc', '--answers-file', 'answers.yaml'],
    setup: { 'answers.yaml': Buffer.from('database: none\n', 'utf16le') },
    message: /^Error: --answers-file .*answers\.yaml: the file is UTF-16 \(or UTF-32\); save it as UTF-8\.$/,
  },
  {
    title: 'answers file in Latin-1 (not UTF-8)',
    args: ['svc', '--answers-file', 'answers.yaml'],
    setup: { 'answers.yaml': Buffer.from('description: Caf\xe9 orders\n', 'latin1') },
    message: /^Error: --answers-file .*answers\.yaml: the file is not valid UTF-8; save it as UTF-8\.$/,
  },
  {
    title: 'backups given explicitly without a database, in a project made with defaults',
    args: ['--backup', '--database', 'none', '--force', '--yes'],
    setup: { '.yo-rc.json': savedRecord({ backup: true, database: 'postgres' }, ['backup']) },
    message: /^Error: Incompatible options: --backup needs --database postgres\.$/,
  },
  {
    title: 'backups saved without the defaults record (older versions: every answer was chosen)',
    args: ['--database', 'none', '--force', '--yes'],
    setup: { '.yo-rc.json': savedRecord({ backup: true, database: 'postgres' }) },
    message: /^Error: Incompatible options: --backup needs --database postgres\.$/,
  },
  {
    title: 'saved defaults record that is not a list',
    args: ['--yes'],
    setup: { '.yo-rc.json': savedRecord({ backup: true, database: 'postgres' }, 'backup') },
    message: /^Error: \.yo-rc\.json: "defaults" must be a list of option names, got "backup"\.$/,
  },
  {
    title: 'target with editor metadata and a file of the user',
    args: ['svc', '--yes'],
    setup: { 'svc/.idea/workspace.xml': '<project/>\n', 'svc/.DS_Store': '', 'svc/notes.txt': 'mine\n' },
    message: /Directory \.\/svc is not empty \(notes\.txt\)\. /,
  },
  {
    title: 'non-empty target directory',
    args: ['svc', '--yes'],
    setup: { 'svc/notes.txt': 'mine\n', 'svc/src/index.js': 'console.log(1)\n' },
    message: /Directory \.\/svc is not empty \(notes\.txt, src\)\. .*pass --force/,
  },
  {
    title: '.yo-rc.json that is not valid JSON',
    args: ['p', '--yes'],
    setup: { 'p/.yo-rc.json': '{bad' },
    message: /^Error: \.\/p\/\.yo-rc\.json is not valid JSON \(.*line 1 column 2\)\)\. Fix it \(it records the answers this project was generated with\), or move it away to generate from scratch\.$/,
  },
  {
    title: '.yo-rc.json whose entry is not an object',
    args: ['p', '--yes'],
    setup: { 'p/.yo-rc.json': '{ "create-prodready-app": [] }' },
    message: /^Error: \.\/p\/\.yo-rc\.json: "create-prodready-app" must be an object of answers\./,
  },
  {
    title: '.yo-rc.json whose file list has a malformed hash',
    args: ['p', '--yes'],
    setup: { 'p/.yo-rc.json': '{ "create-prodready-app": { "name": "p", "files": { "README.md": "abc" } } }' },
    message: /"files" must map each generated path to its sha256 \(64 hex digits\)/,
  },
  {
    title: '.yo-rc.json whose file list names a path outside the project',
    args: ['p', '--yes'],
    setup: { 'p/.yo-rc.json': `{ "create-prodready-app": { "name": "p", "files": { "../victim.txt": "${'0'.repeat(64)}" } } }`, 'victim.txt': 'keep\n' },
    message: /^Error: \.yo-rc\.json: the file list names "\.\.\/victim\.txt", which is not a path inside the project\. Fix or remove that entry\.$/,
  },
  { title: 'target that is a file', args: ['svc', '--yes', '--force'], setup: { svc: 'a file\n' }, message: /\.\/svc exists and is not a directory/ },
];

const scratch: string[] = [];
afterAll(() => scratch.forEach(removeDir));

describe('bad input', () => {
  it('has a table of at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.concurrent.each(cases)('$title: exits 2, says why, writes nothing', async ({ args, message, setup = {} }) => {
    const cwd = scratchDir('cpa-bad-');
    scratch.push(cwd);
    for (const [path, content] of Object.entries(setup)) {
      mkdirSync(join(cwd, path, '..'), { recursive: true });
      writeFileSync(join(cwd, path), content);
    }
    const before = readTree(cwd);
    const result = await runCli([...args, ...QUIET], cwd);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^Error: /);
    expect(result.stdout).toBe('');
    expect(readTree(cwd)).toEqual(before);
    expect(listFiles(cwd)).toEqual(Object.keys(setup).sort());
  });
});
