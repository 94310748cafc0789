/**
 * How a run writes to disk: in place, all or nothing, file system errors said
 * plainly, paths as the file system sees them, and --dry-run as a real run
 * without the writes. Each case asserts the exit code, the message and the
 * disk state, down to stray temporary files.
 */
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, diskState, listFiles, removeDir, runCli, scratchDir, type CliRun } from './helpers.ts';

const QUIET = ['--skip-install', '--skip-git'];
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const scratch: string[] = [];
const mounts: string[] = [];
afterAll(() => {
  for (const mount of mounts.reverse()) execaSync('umount', [mount], { reject: false });
  scratch.forEach(removeDir);
});

function workspace(): string {
  const dir = scratchDir('cpa-write-');
  // mkdtemp makes it 0700; the unprivileged cases need to reach inside.
  chmodSync(dir, 0o755);
  scratch.push(dir);
  return dir;
}

/** Mounts a tmpfs at `dir` (root only); false when this machine does not allow it. */
function mountTmpfs(dir: string, options: string): boolean {
  const result = execaSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { reject: false });
  if (result.exitCode !== 0) return false;
  mounts.push(dir);
  return true;
}

const canMount = (() => {
  if (!isRoot) return false;
  const probe = scratchDir('cpa-mount-probe-');
  const ok = execaSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { reject: false }).exitCode === 0;
  if (ok) execaSync('umount', [probe]);
  removeDir(probe);
  return ok;
})();

/** A copy of this Node.js binary that an unprivileged user can execute (the original may sit under /root). */
const nobodyNode = (() => {
  if (!isRoot) return undefined;
  const dir = workspace();
  const node = join(dir, 'node');
  copyFileSync(process.execPath, node);
  chmodSync(node, 0o755);
  return node;
})();

/** Runs the CLI as uid/gid 65534 (nobody) with no supplementary groups. */
async function runAsNobody(args: readonly string[], cwd: string): Promise<CliRun> {
  const home = workspace();
  const result = await execa('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', nobodyNode as string, binPath, ...args], {
    cwd,
    reject: false,
    env: { NO_COLOR: '1', HOME: home },
    stdin: 'ignore',
    timeout: 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe('the target directory is written in place', () => {
  it('"." writes into the current directory: same inode, and the shell that ran it still sits in it', async () => {
    const dir = join(workspace(), 'here');
    mkdirSync(dir);
    const inode = statSync(dir).ino;
    const result = await execa('sh', ['-c', `"${process.execPath}" "${binPath}" . --yes ${QUIET.join(' ')} >/dev/null && ls package.json && pwd -P`], {
      cwd: dir,
      env: { NO_COLOR: '1' },
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`package.json\n${dir}`);
    expect(statSync(dir).ino).toBe(inode);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({ name: 'here' });
  });

  it.skipIf(!isRoot)('an existing empty target keeps its inode, owner, group, mode and setgid bit (needs root to chown)', async () => {
    const cwd = workspace();
    const dir = join(cwd, 'shared');
    mkdirSync(dir);
    chownSync(dir, NOBODY, 100);
    chmodSync(dir, 0o2770);
    const before = statSync(dir);
    const result = await runCli(['shared', '--yes', ...QUIET], cwd);
    expect(result.exitCode).toBe(0);
    const after = statSync(dir);
    expect({ ino: after.ino, uid: after.uid, gid: after.gid, mode: after.mode.toString(8) }).toEqual({ ino: before.ino, uid: NOBODY, gid: 100, mode: '42770' });
    // The setgid bit is what makes new subdirectories inherit the group.
    expect(statSync(join(dir, 'src')).gid).toBe(100);
  });

  it('a symbolic link to an empty directory writes into that directory and stays a link', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'real-empty'));
    symlinkSync(join(cwd, 'real-empty'), join(cwd, 'linked'));
    const result = await runCli(['linked', '--yes', ...QUIET], cwd);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(lstatSync(join(cwd, 'linked')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(cwd, 'real-empty', 'package.json'), 'utf8'))).toMatchObject({ name: 'linked' });
  });

  it('from a working directory reached through a symbolic link, an absolute path under it is the same place', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'real'));
    symlinkSync(join(cwd, 'real'), join(cwd, 'alias'));
    const result = await runCli([join(cwd, 'alias', 'x-svc'), '--yes', ...QUIET], join(cwd, 'alias'));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Created x-svc in \.\/x-svc \(\d+ files written\)/);
    expect(existsSync(join(cwd, 'real', 'x-svc', 'package.json'))).toBe(true);
  });

  it('"../x" and an absolute path outside the working directory are normal targets', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'work'));
    const relativeRun = await runCli(['../sibling', '--yes', ...QUIET], join(cwd, 'work'));
    expect(relativeRun.exitCode).toBe(0);
    expect(relativeRun.stdout).toContain(`Created sibling in ${join(cwd, 'sibling')} (`);
    expect(JSON.parse(readFileSync(join(cwd, 'sibling', 'package.json'), 'utf8'))).toMatchObject({ name: 'sibling' });
    const absolute = join(workspace(), 'far-away');
    const absoluteRun = await runCli([absolute, '--yes', ...QUIET], join(cwd, 'work'));
    expect(absoluteRun.exitCode).toBe(0);
    expect(existsSync(join(absolute, 'package.json'))).toBe(true);
    expect(listFiles(join(cwd, 'work'))).toEqual([]);
  });

  it('a symbolic link inside the target that leads outside it is refused, and nothing is written on either side', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'outside'));
    mkdirSync(join(cwd, 'svc'));
    symlinkSync(join(cwd, 'outside'), join(cwd, 'svc', 'src'));
    const before = diskState(cwd);
    const result = await runCli(['svc', '--yes', '--force', ...QUIET], cwd);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`Error: src is a symbolic link to ${join(cwd, 'outside')}, outside the project; refusing to write through it. Replace it with a directory or file inside the project.`);
    expect(diskState(cwd)).toEqual(before);
  });

  it('--help says how the target is resolved', async () => {
    const result = await runCli(['--help'], workspace());
    expect(result.stdout).toContain('The directory is resolved against the current directory with symbolic links followed; it may be anywhere you can write');
    expect(result.stdout).toContain('Nothing is written outside it.');
  });
});

describe('all or nothing, also with --force', () => {
  it('a directory where a file goes: exit 1, names the path and the problem, the disk exactly as before', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'svc', 'tsconfig.json'), { recursive: true });
    const before = diskState(cwd);
    const result = await runCli(['svc', '--force', '--yes', ...QUIET], cwd);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^Error: Cannot write \.\/svc\/tsconfig\.json: a directory is in the way where a file goes \(EISDIR\)\. Move or remove that directory, then run the command again\.\nNothing was changed: the \d+ file\(s\) written before the failure were removed\.$/,
    );
    expect(diskState(cwd)).toEqual(before);
  });

  it('in a generated project, a failure after replacing files restores them byte for byte', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    writeFileSync(join(project, 'README.md'), '# my notes\n');
    rmSync(join(project, 'tsconfig.json'));
    mkdirSync(join(project, 'tsconfig.json'));
    const before = diskState(cwd);
    const result = await runCli(['--force', '--yes', ...QUIET], project);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'Error: Cannot write ./tsconfig.json: a directory is in the way where a file goes (EISDIR). Move or remove that directory, then run the command again.\nNothing was changed: the 1 file(s) replaced or removed were restored.',
    );
    expect(diskState(cwd)).toEqual(before);
  });

  it('a file where a directory goes: a conflict without --force (exit 2), an explained failure with it (exit 1), the disk as before', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    rmSync(join(project, 'src', 'items'), { recursive: true });
    writeFileSync(join(project, 'src', 'items'), 'not a directory\n');
    const before = diskState(cwd);
    const refused = await runCli(['--yes', ...QUIET], project);
    expect(refused).toMatchObject({ exitCode: 2, stdout: '' });
    expect(refused.stderr).toMatch(
      /^Error: \d+ existing file\(s\) in \. would be overwritten or removed:\n {2}- src\/items\/model\.ts \(a file is in the way where a directory goes\)\n/,
    );
    const forced = await runCli(['--yes', '--force', ...QUIET], project);
    expect(forced).toMatchObject({
      exitCode: 1,
      stderr: 'Error: Cannot write ./src/items/model.ts: a file is in the way where a directory goes (ENOTDIR). Move or remove that file, then run the command again.\nNothing was written.',
    });
    expect(diskState(cwd)).toEqual(before);
  });

  it.skipIf(!canMount)('a disk that fills up mid-write (200 KiB tmpfs): ENOSPC explained, nothing left (needs root and mount; skipped otherwise)', async () => {
    const cwd = workspace();
    expect(mountTmpfs(cwd, 'size=200k')).toBe(true);
    const result = await runCli(['svc', '--yes', ...QUIET], cwd);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: Cannot (write|create the directory) \.\/svc\/\S+: no space left on the device \(ENOSPC\)\. Free some space \(df -h shows how much is left\) and run the command again\.\nNothing was changed: the \d+ file\(s\) written before the failure were removed\.$/,
    );
    expect(diskState(cwd)).toEqual({});
  });

  it.skipIf(!canMount)('a read-only file system: EROFS explained, exit 1, nothing written (needs root and mount; skipped otherwise)', async () => {
    const cwd = workspace();
    expect(mountTmpfs(cwd, 'ro,size=64k')).toBe(true);
    const result = await runCli(['svc', '--yes', ...QUIET], cwd);
    expect(result).toMatchObject({
      exitCode: 1,
      stderr: 'Error: Cannot create the directory ./svc: the file system is read-only (EROFS). Choose a directory on a writable file system.\nNothing was written.',
    });
    expect(diskState(cwd)).toEqual({});
  });

  it.skipIf(!canMount)('a file that is a mount point (EBUSY) is explained and the run undone (needs root and mount; skipped otherwise)', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    writeFileSync(join(cwd, 'notes.md'), '# bind-mounted notes\n');
    expect(execaSync('mount', ['--bind', join(cwd, 'notes.md'), join(project, 'README.md')], { reject: false }).exitCode).toBe(0);
    mounts.push(join(project, 'README.md'));
    writeFileSync(join(project, 'LICENSE'), 'my own licence\n');
    const before = diskState(cwd);
    const result = await runCli(['--force', '--yes', ...QUIET], project);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'Error: Cannot write ./README.md: it is busy (a mount point, or held by another process) (EBUSY). Unmount it or stop what holds it, or choose another directory.\nNothing was changed: the 1 file(s) replaced or removed were restored.',
    );
    expect(diskState(cwd)).toEqual(before);
  });

  it('a path too long for the file system: ENAMETOOLONG explained, exit 1, nothing written', async () => {
    const cwd = workspace();
    const result = await runCli([`${'a'.repeat(300)}/svc`, '--yes', ...QUIET], cwd);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`Error: Cannot use the directory ${'a'.repeat(300)}/svc: the path is too long for the file system (ENAMETOOLONG). Choose a shorter directory path.`);
    expect(diskState(cwd)).toEqual({});
  });

  it('an unreadable .yo-rc.json (a directory) is explained, exit 1, nothing written', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'p', '.yo-rc.json'), { recursive: true });
    const before = diskState(cwd);
    const result = await runCli(['p', '--yes', ...QUIET], cwd);
    expect(result).toMatchObject({
      exitCode: 1,
      stderr: 'Error: Cannot read ./p/.yo-rc.json: a directory is in the way where a file goes (EISDIR). Move or remove that directory, then run the command again.',
    });
    expect(diskState(cwd)).toEqual(before);
  });
});

describe.skipIf(!isRoot)('as an unprivileged user (needs root to switch to uid 65534; skipped otherwise)', () => {
  it('in a directory they cannot write: EACCES explained with what to do, exit 1, nothing written, no bug report asked', async () => {
    const cwd = workspace();
    const result = await runAsNobody(['svc', '--yes', ...QUIET], cwd);
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr: 'Error: Cannot create the directory ./svc: permission denied (EACCES). Choose a directory you can write to, or ask its owner for write access.\nNothing was written.',
    });
    expect(diskState(cwd)).toEqual({});
  });

  it('a target they can write inside a parent they cannot write works', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'mine'));
    chownSync(join(cwd, 'mine'), NOBODY, NOBODY);
    const result = await runAsNobody(['mine', '--yes', ...QUIET], cwd);
    expect(result.exitCode).toBe(0);
    expect(statSync(join(cwd, 'mine', 'package.json')).uid).toBe(NOBODY);
    expect(Object.keys(diskState(cwd)).filter((path) => !path.startsWith('mine'))).toEqual([]);
  });

  it('a .yo-rc.json they cannot read: EACCES explained, exit 1, nothing written', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'p'));
    chownSync(join(cwd, 'p'), NOBODY, NOBODY);
    writeFileSync(join(cwd, 'p', '.yo-rc.json'), '{}\n', { mode: 0o600 });
    const before = diskState(cwd);
    const result = await runAsNobody(['p', '--yes', ...QUIET], cwd);
    expect(result).toMatchObject({
      exitCode: 1,
      stderr: 'Error: Cannot read ./p/.yo-rc.json: permission denied (EACCES). Ask its owner for read access, or run the command as a user who can read it.',
    });
    expect(diskState(cwd)).toEqual(before);
  });
});

describe('--dry-run is a real run without the writes', () => {
  it('in an up-to-date project says nothing would change, like the real run', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    const count = listFiles(project).length;
    const dry = await runCli(['--yes', '--dry-run', ...QUIET], project);
    expect(dry).toMatchObject({ exitCode: 0, stdout: `Dry run: nothing would change in .; all ${count} files are up to date.`, stderr: '' });
    const real = await runCli(['--yes', ...QUIET], project);
    expect(real.stdout).toMatch(/\(0 files written\)/);
  });

  it('with a conflict and no --force: the same exit code and message as the real run, nothing written', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    writeFileSync(join(project, 'README.md'), '# mine\n');
    const before = diskState(cwd);
    const dry = await runCli(['--yes', '--dry-run', ...QUIET], project);
    const real = await runCli(['--yes', ...QUIET], project);
    expect(dry).toEqual(real);
    expect(real.exitCode).toBe(2);
    expect(diskState(cwd)).toEqual(before);
  });

  it('lists exactly what the real run then does: new, changed and removed files', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    const before = diskState(cwd);
    const dry = await runCli(['--yes', '--no-backup', '--dry-run', ...QUIET], project);
    expect(dry.exitCode).toBe(0);
    expect(diskState(cwd)).toEqual(before);
    const section = (title: string) => (dry.stdout.split(`\n${title}:\n`)[1] ?? '').split(/\n(?=\S)/)[0]?.split('\n').map((line) => line.trim()).filter(Boolean) ?? [];
    const removed = section('Removed');
    expect(removed).toContain('deploy/backup/Dockerfile');
    const real = await runCli(['--yes', '--no-backup', ...QUIET], project);
    expect(real.exitCode).toBe(0);
    expect(real.stdout).toContain(`(${section('New').length + section('Changed').length} files written, ${removed.length} removed)`);
    for (const path of removed) expect(existsSync(join(project, path))).toBe(false);
    for (const path of [...section('New'), ...section('Changed')]) expect(existsSync(join(project, path))).toBe(true);
    expect(Object.keys(diskState(project)).filter((path) => /\.(tmp|orig)$/.test(path))).toEqual([]);
  });
});
