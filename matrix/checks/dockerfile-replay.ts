/**
 * Builds and starts the generated Dockerfile without a container engine (see
 * container/replay.ts): every RUN and COPY of the stages the final image
 * needs, on an emulated copy of the pinned base image; then ENTRYPOINT + CMD
 * as PID 1, non-root, without capabilities, on a read-only root; then the
 * HEALTHCHECK until healthy; then SIGTERM, after which it must exit 0.
 * When the combination's facts say it has PostgreSQL (context.facts), the
 * image's migration command runs first against a throwaway database, as the compose migrate service and the Kubernetes Job
 * run it. A change to the Dockerfile is what gets tested: nothing here
 * repeats its steps.
 *
 * Needs root (mount namespaces, overlayfs, chroot) and the base image that
 * matrix/tools/container-tools.sh prepares.
 *
 *   node matrix/checks/dockerfile-replay.ts <project-dir> [--postgres-url URL] [--redis-url URL]
 */
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone } from '../support/direct-run.ts';
import { variantFrom, variantProjection } from '../support/facts.ts';
import { freePort } from '../support/ports.ts';
import { throwawayDatabase } from '../support/postgres.ts';
import { runChecked, startProcess } from '../support/process.ts';
import { loadBases, type ReplayOptions } from './container/replay.ts';

const ENGINE = join(import.meta.dirname, 'container', 'replay.ts');

const basesDir = (context: CheckContext) => join(context.toolsDir, 'container', 'bases');

export const dockerfileReplayCheck: Check = {
  name: 'dockerfile-replay',
  // What the Dockerfile copies from the build context. A COPY of anything else fails the
  // replay with "not found in the build context", so this list cannot silently fall behind.
  inputs: ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src/**'],
  // The variant decides whether the migration runs before the start.
  facts: variantProjection,
  services: ['postgres', 'redis'],
  // Two npm ci runs on a cold cache, a TypeScript build, the start and the graceful stop.
  timeoutMs: 25 * 60_000,
  async tool(context: CheckContext): Promise<string> {
    const engine = createHash('sha256');
    for (const file of ['replay.ts', 'dockerfile.ts']) engine.update(readFileSync(join(import.meta.dirname, 'container', file)));
    const bases = loadBases(basesDir(context)).map((base) => `${base.reference} as Debian + Node.js ${base.env.NODE_VERSION}`);
    const utilLinux = (await runChecked('unshare', ['--version'])).replace(/^unshare from /, '');
    return `dockerfile-replay ${engine.digest('hex').slice(0, 12)} (${utilLinux}; ${bases.join(', ') || 'no base images'})`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    // Environment problems are errors (never cached), not findings about the Dockerfile.
    if (process.getuid?.() !== 0) throw new Error('the replay needs root: it mounts overlay filesystems in a private mount namespace and chroots into them');
    if (loadBases(basesDir(context)).length === 0) throw new Error(`no emulated base image in ${basesDir(context)}: run matrix/tools/container-tools.sh`);
    const scratch = mkdtempSync(join(tmpdir(), 'dockerfile-replay-'));
    chmodSync(scratch, 0o755);
    const variant = variantFrom(context.facts);
    const database = context.postgresUrl && variant.hasPostgres ? await throwawayDatabase(context.postgresUrl, 'replay') : undefined;
    try {
      const project = join(scratch, 'project');
      cpSync(directory, project, { recursive: true });
      if (!existsSync(join(project, 'package-lock.json'))) {
        // The generator's npm install writes the lockfile that npm ci in the image needs.
        context.log('package-lock.json: npm install --package-lock-only (as after generation)');
        await runChecked('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: project });
      }
      const runEnv: Record<string, string> = { PORT: String(await freePort()) };
      if (context.postgresUrl) runEnv.DATABASE_URL = database?.url ?? context.postgresUrl;
      if (context.redisUrl) runEnv.REDIS_URL = context.redisUrl;
      const options: Omit<ReplayOptions, 'log'> = {
        contextDir: project,
        workDir: join(scratch, 'work'),
        bases: loadBases(basesDir(context)),
        cacheDir: join(context.toolsDir, 'container', 'cache'),
        buildArgs: {},
        runEnv,
        // The migration entry point of compose.production.yaml's migrate service and the Kubernetes Job.
        before: database ? [['node', 'dist/migrate.js']] : [],
        stopTimeoutMs: 30_000,
        stepTimeoutMs: 10 * 60_000,
      };
      mkdirSync(options.workDir, { recursive: true });
      mkdirSync(options.cacheDir, { recursive: true });
      const config = join(scratch, 'replay.json');
      const result = join(scratch, 'findings.json');
      writeFileSync(config, JSON.stringify({ options, result }));
      // A private mount namespace: every overlay and bind mount of the replay vanishes with it.
      const { subprocess, child } = startProcess('unshare', ['--mount', '--propagation', 'private', '--', process.execPath, ENGINE, config], { env: process.env, output: 'pipe' });
      const lines: string[] = [];
      for (const stream of [subprocess.stdout, subprocess.stderr]) {
        if (!stream) continue;
        createInterface({ input: stream }).on('line', (line) => {
          lines.push(line);
          context.log(line);
        });
      }
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (code !== 0 || !existsSync(result)) throw new Error(`the replay engine failed (exit ${code}):\n${lines.slice(-30).join('\n')}`);
      const outcome = JSON.parse(readFileSync(result, 'utf8')) as { findings?: Finding[]; error?: string };
      if (outcome.error !== undefined) throw new Error(`the replay could not run: ${outcome.error}`);
      return outcome.findings ?? [];
    } finally {
      await database?.drop().catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

export default dockerfileReplayCheck;

if (import.meta.main) await runStandalone(dockerfileReplayCheck);
