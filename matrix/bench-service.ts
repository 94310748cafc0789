/**
 * Benchmarks the generated service against a bare Fastify hello-world in the
 * same run, on loopback, with autocannon: requests per second and p50/p99
 * latency for /livez and for the items list (PostgreSQL), start-up time and
 * resident memory after load. Prints figures; it passes or fails nothing.
 *
 *   node matrix/bench-service.ts <generated-project-dir>
 *
 * The project must have database=postgres (read from its .yo-rc.json). It is installed and built when it
 * is not yet; a dedicated PostgreSQL is started for the run (or
 * BENCH_POSTGRES_URL is used, whose database gets the items table).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { baseEnv, poll } from './checks/service-proof/proof.ts';
import { projectFacts } from './support/direct-run.ts';
import { variantProjection } from './support/facts.ts';
import { freePort } from './support/ports.ts';
import { PostgresCluster } from './support/postgres.ts';
import { run, startProcess } from './support/process.ts';

const AUTOCANNON = 'autocannon@9.0.0';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP_S = 2;
const SEED_ITEMS = 20;

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

interface Row {
  server: string;
  path: string;
  load: Load;
  startupMs: number;
  rssMiB: number;
}

async function step(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<void> {
  const result = await run(command, args, { cwd, env: baseEnv(env), timeoutMs: 30 * 60_000 });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed${result.failure ? ` (${result.failure})` : ''}:\n${result.all}`);
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kib / 1024) * 10) / 10;
}

interface Started {
  child: ChildProcess;
  base: string;
  startupMs: number;
}

async function startServer(cwd: string, args: readonly string[], env: Record<string, string>, logFile: string): Promise<Started> {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const started = performance.now();
  const { child } = startProcess(process.execPath, args, { cwd, env: baseEnv({ ...env, PORT: String(port), HOST: '127.0.0.1' }), output: log });
  const base = `http://127.0.0.1:${port}`;
  const up = await poll(async () => (await fetch(`${base}/livez`)).status === 200, 30_000, 5);
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`${args.join(' ')} did not start:\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}`);
  }
  return { child, base, startupMs: Math.round(performance.now() - started) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

async function autocannon(toolDir: string, url: string, durationS: number): Promise<Load> {
  const result = await run(join(toolDir, 'node_modules', '.bin', 'autocannon'), ['--json', '--connections', String(CONNECTIONS), '--duration', String(durationS), url], { timeoutMs: (durationS + 60) * 1000 });
  if (result.code !== 0) throw new Error(`autocannon failed: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { requestsPerSecond: Math.round(report.requests.average), p50: report.latency.p50, p99: report.latency.p99, non2xx: report.non2xx, errors: report.errors };
}

async function measure(toolDir: string, url: string): Promise<Load> {
  await autocannon(toolDir, url, WARMUP_S);
  return autocannon(toolDir, url, DURATION_S);
}

const BARE_SERVER = `import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/livez', async () => ({ status: 'ok' }));
await app.listen({ host: process.env.HOST, port: Number(process.env.PORT) });
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
`;

async function main(): Promise<void> {
  const argument = process.argv[2];
  if (!argument) {
    process.stderr.write('usage: node matrix/bench-service.ts <generated-project-dir>\n');
    process.exit(2);
  }
  const project = resolve(argument);
  const variant = variantProjection(projectFacts(project));
  if (!variant.hasPostgres) throw new Error('the benchmark needs a project generated with --database postgres');

  const work = mkdtempSync(join(tmpdir(), 'bench-service-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(work, { recursive: true, force: true })];
  try {
    process.stderr.write('preparing: install, build, production install, autocannon\n');
    if (!existsSync(join(project, 'node_modules')) || !existsSync(join(project, 'package-lock.json'))) await step('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project);
    if (!existsSync(join(project, 'dist', 'server.js'))) await step('npm', ['run', 'build'], project);
    const production = join(work, 'app');
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(project, file), join(production, file));
    cpSync(join(project, 'dist'), join(production, 'dist'), { recursive: true });
    await step('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], production);
    writeFileSync(join(production, 'bare.mjs'), BARE_SERVER);
    const toolDir = join(work, 'tools');
    await step('npm', ['install', '--prefix', toolDir, '--prefer-offline', '--no-audit', '--no-fund', AUTOCANNON], work);

    let databaseUrl = process.env.BENCH_POSTGRES_URL;
    if (!databaseUrl) {
      const postgres = await PostgresCluster.create({ user: 'postgres' });
      cleanups.unshift(() => postgres.destroy());
      await postgres.start();
      databaseUrl = postgres.url();
    }
    const env = { NODE_ENV: 'production', LOG_LEVEL: 'info', DATABASE_URL: databaseUrl, RATE_LIMIT_MAX: '1000000', SHUTDOWN_DRAIN_MS: '0' };
    await step(process.execPath, ['dist/migrate.js'], production, env);

    const rows: Row[] = [];
    const logFile = join(work, 'server.log');

    const bare = await startServer(production, ['bare.mjs'], {}, logFile);
    const bareLoad = await measure(toolDir, `${bare.base}/livez`);
    rows.push({ server: `bare fastify`, path: '/livez', load: bareLoad, startupMs: bare.startupMs, rssMiB: rssMiB(bare.child.pid ?? 0) });
    await stop(bare.child);

    const service = await startServer(production, variant.hasTracing ? ['--import', './dist/instrumentation.js', 'dist/server.js'] : ['dist/server.js'], env, logFile);
    for (let index = 0; index < SEED_ITEMS; index += 1) {
      const response = await fetch(`${service.base}/api/v1/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `bench-${randomBytes(4).toString('hex')}`, description: 'seeded for the benchmark' }),
      });
      if (response.status !== 201) throw new Error(`seeding failed: ${response.status}`);
    }
    const livez = await measure(toolDir, `${service.base}/livez`);
    rows.push({ server: 'service', path: '/livez', load: livez, startupMs: service.startupMs, rssMiB: rssMiB(service.child.pid ?? 0) });
    const list = await measure(toolDir, `${service.base}/api/v1/items?limit=${SEED_ITEMS}`);
    rows.push({ server: 'service', path: `/api/v1/items?limit=${SEED_ITEMS}`, load: list, startupMs: service.startupMs, rssMiB: rssMiB(service.child.pid ?? 0) });
    await stop(service.child);

    const header = `autocannon: ${CONNECTIONS} connections, ${DURATION_S} s per run after ${WARMUP_S} s warm-up; node ${process.version}; loopback`;
    const lines = [
      header,
      '',
      '| server | path | req/s | p50 ms | p99 ms | non-2xx | errors | start-up ms | RSS after load MiB |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (row) =>
          `| ${row.server} | ${row.path} | ${row.load.requestsPerSecond} | ${row.load.p50} | ${row.load.p99} | ${row.load.non2xx} | ${row.load.errors} | ${row.startupMs} | ${row.rssMiB} |`,
      ),
      '',
      `service /livez throughput = ${((livez.requestsPerSecond / bareLoad.requestsPerSecond) * 100).toFixed(1)} % of bare Fastify (target ≥ 75 %)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

if (import.meta.main) await main();
