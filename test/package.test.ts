/**
 * End to end: pack the package as npm would publish it, install the tarball in
 * an empty directory and run its binary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderProject } from '../generators/app/render.ts';
import { listFiles, packCheckout, readTree, removeDir, repoRoot, scratchDir } from './helpers.ts';

let workspace: string;
let tarball: string;
let packed: string[];

beforeAll(async () => {
  workspace = scratchDir('cpa-pack-');
  ({ tarball, files: packed } = await packCheckout(workspace));
  await execa('npm', ['init', '-y'], { cwd: workspace });
  await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: workspace });
}, 240_000);

afterAll(() => {
  removeDir(workspace);
});

describe('the published package', () => {
  it('contains the binary, compiled generators and templates, and nothing else', () => {
    expect(packed).toContain('bin/create-prodready-app.js');
    expect(packed).toContain('dist/cli.js');
    expect(packed).toContain('templates/repo/README.md.ejs');
    expect(packed.filter((path) => !/^(bin\/|templates\/|dist\/cli\.js|package\.json$|README\.md$|LICENSE$)/.test(path))).toEqual([]);
  });

  it('its binary generates a project with the installed Node.js', async () => {
    const bin = join(workspace, 'node_modules', '.bin', 'create-prodready-app');
    const result = await execa(bin, ['packed-svc', '--yes', '--skip-install', '--skip-git', '--database', 'none'], {
      cwd: workspace,
      env: { NO_COLOR: '1' },
      stdin: 'ignore',
    });
    expect(result.exitCode).toBe(0);
    const project = join(workspace, 'packed-svc');
    expect(listFiles(project)).toEqual(expect.arrayContaining(['.gitignore', '.nvmrc', 'LICENSE', 'README.md', 'package.json', '.yo-rc.json']));
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).name).toBe('packed-svc');
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
  });

  it('its binary generates every default feature (templates found from dist/) and reports it with --json', async () => {
    const bin = join(workspace, 'node_modules', '.bin', 'create-prodready-app');
    const result = await execa(bin, ['defaults-svc', '--json', '--skip-install', '--skip-git'], { cwd: workspace, env: { NO_COLOR: '1' }, stdin: 'ignore', reject: false });
    const document = JSON.parse(String(result.stdout)) as { exitCode: number; error: unknown; files: { created: string[] } };
    expect(document).toMatchObject({ exitCode: 0, error: null });
    expect(result.exitCode).toBe(0);
    expect(document.files.created).toEqual(expect.arrayContaining(['scripts/backup.sh', 'scripts/lib/backup-common.sh', 'package.json']));
    expect(document.files.created).toEqual(listFiles(join(workspace, 'defaults-svc')));
  });

  it('its binary writes, for a project with every feature, exactly what the sources render (precompiled templates, backup scripts, no Prettier)', async () => {
    const bin = join(workspace, 'node_modules', '.bin', 'create-prodready-app');
    const flags = ['--cache', 'redis', '--sentry', '--tracing', '--deploy', 'both'];
    const result = await execa(bin, ['full-svc', '--yes', '--skip-install', '--skip-git', ...flags], { cwd: workspace, env: { NO_COLOR: '1' }, stdin: 'ignore' });
    expect(result.exitCode).toBe(0);
    const written = readTree(join(workspace, 'full-svc'));
    const { files } = await renderProject({ name: 'full-svc', cache: 'redis', sentry: true, tracing: true, deploy: 'both' });
    expect(Object.keys(written)).toEqual([...files.keys()].sort());
    for (const [path, content] of files) expect(written[path], path).toBe(content);
    expect(written['scripts/backup.sh']).toContain('pg_dump');
    expect(readFileSync(join(workspace, 'node_modules', 'create-prodready-app', 'dist', 'cli.js'), 'utf8')).not.toMatch(/node_modules\/prettier\//);
    const manifest = JSON.parse(readFileSync(join(workspace, 'node_modules', 'create-prodready-app', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('prettier');
  });

  it('its binary answers --version and --help', async () => {
    const bin = join(workspace, 'node_modules', '.bin', 'create-prodready-app');
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
    expect((await execa(bin, ['--version'])).stdout).toBe(version);
    expect((await execa(bin, ['--help'])).stdout).toMatch(/Usage: create-prodready-app \[directory\] \[options\]/);
  });
});
