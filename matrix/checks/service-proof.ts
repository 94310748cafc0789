/**
 * Proves the generated service works, with the real tools, on one app variant:
 * install, lint, typecheck, the test suite, build, then a production-only
 * install whose `dist/server.js` is started and probed over HTTP: probes,
 * metrics, security headers, a CRUD round trip, problem details, readiness
 * through a database outage and recovery (on a dedicated, throwaway
 * PostgreSQL), a loopback load run of the k6 journey judged by the k6
 * scripts' thresholds, and a graceful SIGTERM under load. The SLO alert drill
 * on the running app is its own check (alert-drill.ts).
 *
 * The test suite runs against real servers (DATABASE_URL, REDIS_URL), as the
 * generated CI's test job runs it, wherever the variant has one; and with no
 * server URLs (PGlite and a throwaway redis-server, started by the project's
 * test/global-setup.ts), as `npm test` runs on a developer's machine, where
 * the variant has no server or is the one with every dependency
 * (testsWithoutServers). That fixture is the same code in every variant that
 * has it, so one variant proves it; each variant's own code is proven by its
 * run against the real servers.
 *
 * The variant (PostgreSQL, Redis, Sentry, tracing) comes from the
 * combination's facts (context.facts), not from the generated files.
 *
 * Run directly on a generated project (its check inputs are copied to a
 * scratch directory, and its facts come from its .yo-rc.json):
 *   node matrix/checks/service-proof.ts <project-dir> --postgres-url URL --redis-url URL [--verbose]
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { withDeadline } from '../support/deadline.ts';
import { runStandalone } from '../support/direct-run.ts';
import { variantFrom, variantProjection, type VariantFacts } from '../support/facts.ts';
import { freePort } from '../support/ports.ts';
import { PostgresCluster, throwawayDatabase } from '../support/postgres.ts';
import { run } from '../support/process.ts';
import { declaredLoad, describe, judge, LOAD_TEST_TEMPLATES, runJourney } from './service-proof/load-run.ts';
import { checkDatabaseOutage, DRAIN_MS, MINUTE, poll, Proof, request, SERVICE_INPUTS, sleep, startServer, type Server, type StepTiming } from './service-proof/proof.ts';


/**
 * Whether the variant's test suite also runs with no server URLs: where it
 * has no server (then it is the only run), and on the variant with every
 * dependency, which exercises all of test/global-setup.ts's embedded fixture.
 */
export function testsWithoutServers(variant: VariantFacts): boolean {
  const usesServers = variant.hasPostgres || variant.hasRedis;
  return !usesServers || (variant.hasPostgres && variant.hasRedis && variant.hasSentry && variant.hasTracing);
}

/** The loopback load run: a few seconds of the k6 journey. */
const LOAD_RUN_SECONDS = 5;
/** The grace period the service must shut down within (Kubernetes' default). */
const GRACE_PERIOD_MS = 30_000;

// ---------------------------------------------------------------------------
// The running service.

/** An OTLP/HTTP receiver on loopback that records what is exported to it. */
async function startCollector(): Promise<{ endpoint: string; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const server = createHttpServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => {
      paths.push(incoming.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: async () => {
      server.close();
      await once(server, 'close');
    },
  };
}

const SECURITY_HEADERS: Record<string, (value: string | null) => boolean> = {
  'content-security-policy': (value) => value?.includes("default-src 'none'") === true,
  'strict-transport-security': (value) => /max-age=\d{7,}/.test(value ?? ''),
  'x-content-type-options': (value) => value === 'nosniff',
  'x-frame-options': (value) => value === 'DENY',
  'referrer-policy': (value) => value === 'no-referrer',
};

async function checkHttpSurface(proof: Proof, server: Server, variant: VariantFacts): Promise<void> {
  const { base } = server;
  const livez = await request(`${base}/livez`);
  if (livez.status !== 200) proof.fail(`GET /livez answered ${livez.status}, expected 200`);
  for (const [header, valid] of Object.entries(SECURITY_HEADERS)) {
    if (!valid(livez.headers.get(header))) proof.fail(`security header ${header} is ${JSON.stringify(livez.headers.get(header))}`);
  }
  if (livez.headers.has('x-powered-by')) proof.fail('X-Powered-By is present');
  if (!livez.headers.get('x-request-id')) proof.fail('no X-Request-Id in the response');

  const readyz = await request(`${base}/readyz`);
  if (readyz.status !== 200) proof.fail(`GET /readyz answered ${readyz.status}: ${await readyz.text()}`);
  const health = await request(`${base}/health`);
  const healthBody = (await health.json()) as { status?: string; components?: Record<string, { status: string; latencyMs: number }> };
  const expectedComponents = [...(variant.hasPostgres ? ['database'] : []), ...(variant.hasRedis ? ['redis'] : [])];
  if (health.status !== 200 || healthBody.status !== 'ok' || JSON.stringify(Object.keys(healthBody.components ?? {}).sort()) !== JSON.stringify(expectedComponents)) {
    proof.fail(`GET /health: ${health.status} ${JSON.stringify(healthBody)}; expected ok with components ${expectedComponents.join(', ') || '(none)'}`);
  }

  // CRUD round trip.
  const name = `proof-${randomBytes(4).toString('hex')}`;
  const json = { 'content-type': 'application/json' };
  const created = await request(`${base}/api/v1/items`, { method: 'POST', headers: json, body: JSON.stringify({ name, description: 'made by the proof' }) });
  const item = (await created.json()) as { id?: string; name?: string };
  if (created.status !== 201 || item.name !== name || typeof item.id !== 'string') {
    proof.fail(`POST /api/v1/items answered ${created.status} ${JSON.stringify(item)}`);
    return;
  }
  const itemUrl = `${base}/api/v1/items/${item.id}`;
  const read = await request(itemUrl);
  if (read.status !== 200) proof.fail(`GET ${itemUrl} answered ${read.status}`);
  const patched = await request(itemUrl, { method: 'PATCH', headers: json, body: JSON.stringify({ description: 'changed' }) });
  const patchedBody = (await patched.json()) as { description?: string };
  if (patched.status !== 200 || patchedBody.description !== 'changed') proof.fail(`PATCH ${itemUrl} answered ${patched.status} ${JSON.stringify(patchedBody)}`);
  const conflict = await request(`${base}/api/v1/items`, { method: 'POST', headers: json, body: JSON.stringify({ name }) });
  if (conflict.status !== 409) proof.fail(`POST of a taken name answered ${conflict.status}, expected 409`);
  const list = await request(`${base}/api/v1/items?limit=100`);
  const listBody = (await list.json()) as { items?: { id: string }[]; nextCursor?: string | null };
  if (list.status !== 200 || !listBody.items?.some((listed) => listed.id === item.id) || !('nextCursor' in listBody)) proof.fail(`GET /api/v1/items does not list the new item: ${list.status}`);
  const deleted = await request(itemUrl, { method: 'DELETE' });
  if (deleted.status !== 204) proof.fail(`DELETE ${itemUrl} answered ${deleted.status}, expected 204`);
  const gone = await request(itemUrl);
  if (gone.status !== 404 || !gone.headers.get('content-type')?.startsWith('application/problem+json')) proof.fail(`GET of a deleted item answered ${gone.status} ${gone.headers.get('content-type')}`);
  await gone.body?.cancel();

  // Problem details for a bad body.
  const bad = await request(`${base}/api/v1/items`, { method: 'POST', headers: json, body: JSON.stringify({ name: 42, extra: true }) });
  const problem = (await bad.json()) as Record<string, unknown>;
  const problemFields = ['type', 'title', 'status', 'detail', 'instance'];
  if (bad.status !== 400 || !bad.headers.get('content-type')?.startsWith('application/problem+json') || problemFields.some((field) => !(field in problem)) || JSON.stringify(problem).includes('    at ')) {
    proof.fail(`a bad body got ${bad.status} ${bad.headers.get('content-type')} ${JSON.stringify(problem)}; expected 400 application/problem+json with ${problemFields.join(', ')} and no stack`);
  }

  const openapi = await request(`${base}/openapi.json`);
  const document = (await openapi.json()) as { openapi?: string; paths?: Record<string, unknown> };
  if (openapi.status !== 200 || !document.openapi?.startsWith('3.') || !document.paths?.['/api/v1/items']) proof.fail(`GET /openapi.json answered ${openapi.status} without the items paths`);

  const metrics = await (await request(`${base}/metrics`)).text();
  const expected = [
    /^# TYPE http_requests_total counter$/m,
    /^http_requests_total\{method="GET",route="\/api\/v1\/items\/:id",status_code="404"\} 1$/m,
    /^# TYPE http_request_duration_seconds histogram$/m,
    /^http_request_duration_seconds_bucket\{le="[\d.]+",method="POST",route="\/api\/v1\/items",status_code="201"\} \d+$/m,
    /^# TYPE nodejs_eventloop_lag_seconds gauge$/m,
    /^# TYPE process_resident_memory_bytes gauge$/m,
    ...(variant.hasPostgres ? [/^db_pool_connections\{state="idle"\} \d+$/m, /^db_pool_max_connections \d+$/m, /^db_pool_waiting_requests \d+$/m] : []),
    ...(variant.hasRedis ? [/^redis_connected 1$/m, /^rate_limit_store_errors_total 0$/m] : []),
  ];
  for (const pattern of expected) if (!pattern.test(metrics)) proof.fail(`/metrics lacks ${pattern.source}`);
  if (metrics.includes(item.id)) proof.fail('/metrics has a raw URL as a label value');
}

/** SIGTERM while clients keep sending: readiness fails during the drain, no request sees a connection error, exit 0 within the grace period. */
async function checkGracefulShutdown(proof: Proof, server: Server): Promise<void> {
  const { base } = server;
  let sending = true;
  let answered = 0;
  const errors: string[] = [];
  const client = async () => {
    while (sending) {
      try {
        const response = await request(`${base}/api/v1/items?limit=5`);
        await response.arrayBuffer();
        answered += 1;
      } catch (error) {
        errors.push(String((error as Error).cause ?? error));
      }
    }
  };
  const clients = Array.from({ length: 8 }, () => client());
  await sleep(300);
  const signalled = performance.now();
  server.child.kill('SIGTERM');
  await sleep(100);
  const readyDuringDrain = await request(`${base}/readyz`).then((response) => response.status).catch((error: unknown) => String(error));
  // Keep sending for most of the drain window: the load balancer may still route here.
  await sleep(DRAIN_MS - 500);
  sending = false;
  await Promise.all(clients);
  if (readyDuringDrain !== 503) proof.fail(`/readyz answered ${readyDuringDrain} during the shutdown drain, expected 503`);
  if (errors.length > 0) proof.fail(`${errors.length} of ${answered + errors.length} requests during the shutdown drain failed at the connection level: ${[...new Set(errors)].slice(0, 3).join('; ')}`);
  const exit = await withDeadline(server.exited, GRACE_PERIOD_MS, 'still running');
  const seconds = (performance.now() - signalled) / 1000;
  if (exit !== 0) {
    proof.fail(`after SIGTERM the server ended with ${exit} (${seconds.toFixed(1)} s), expected exit 0 within ${GRACE_PERIOD_MS / 1000} s\n${server.output()}`);
    server.child.kill('SIGKILL');
    return;
  }
  const messages = server.logs.map((line) => line.msg);
  if (!messages.includes('shutdown complete')) proof.fail('no "shutdown complete" log line after SIGTERM');
  proof.context.log(`service-proof: SIGTERM → exit 0 in ${seconds.toFixed(1)} s, ${answered} requests answered during the drain`);
}

// ---------------------------------------------------------------------------
// The load run.

/** The k6 journey from as many connections as the load script's default virtual users, for a few seconds, against its thresholds. */
async function checkLoad(proof: Proof, server: Server): Promise<void> {
  const declared = declaredLoad();
  const started = performance.now();
  const figures = await runJourney({ base: server.base, healthPath: '/health', itemsPath: '/api/v1/items', connections: declared.virtualUsers, durationSeconds: LOAD_RUN_SECONDS });
  const step = `load run (${declared.virtualUsers} connections, ${LOAD_RUN_SECONDS} s: ${describe(figures)})`;
  proof.timings.push({ step, seconds: Math.round((performance.now() - started) / 100) / 10 });
  proof.context.log(`service-proof: ${step}`);
  for (const finding of judge(figures, declared)) proof.fail(finding);
}

// ---------------------------------------------------------------------------

async function prove(directory: string, context: CheckContext, proof: Proof): Promise<void> {
  const variant = variantFrom(context.facts);
  if (!(await proof.command('npm install', directory, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { timeoutMs: 8 * MINUTE }))) return;
  await proof.command('npm run lint', directory, 'npm', ['run', 'lint'], { timeoutMs: 5 * MINUTE });
  await proof.command('npm run typecheck', directory, 'npm', ['run', 'typecheck'], { timeoutMs: 3 * MINUTE });

  if (variant.hasPostgres || variant.hasRedis) {
    const env: Record<string, string> = {};
    if (variant.hasPostgres) {
      if (!context.postgresUrl) proof.fail('npm test against a real PostgreSQL: no PostgreSQL server was provided');
      else {
        const database = await throwawayDatabase(context.postgresUrl, 'service_proof');
        proof.onCleanup(database.drop);
        env.DATABASE_URL = database.url;
      }
    }
    if (variant.hasRedis) {
      if (!context.redisUrl) proof.fail('npm test against a real Redis: no Redis server was provided');
      else env.REDIS_URL = context.redisUrl;
    }
    if (Object.keys(env).length > 0) await proof.command(`npm test (${Object.keys(env).join(', ')})`, directory, 'npm', ['test'], { env, timeoutMs: 8 * MINUTE });
  }
  if (testsWithoutServers(variant)) await proof.command('npm test (no server URLs)', directory, 'npm', ['test'], { timeoutMs: 8 * MINUTE });

  if (!(await proof.command('npm run build', directory, 'npm', ['run', 'build'], { timeoutMs: 3 * MINUTE }))) return;

  // Production: only dist/ and production dependencies, as the container image has them.
  const production = mkdtempSync(join(tmpdir(), 'service-proof-prod-'));
  proof.onCleanup(async () => {
    rmSync(production, { recursive: true, force: true });
  });
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(directory, file), join(production, file));
  cpSync(join(directory, 'dist'), join(production, 'dist'), { recursive: true });
  if (!(await proof.command('npm ci --omit=dev', production, 'npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { timeoutMs: 5 * MINUTE }))) return;

  // The load below comes from one address: the rate limit is raised so every request reaches the handlers.
  const env: Record<string, string> = { NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_DRAIN_MS: String(DRAIN_MS), SHUTDOWN_TIMEOUT_MS: '20000', RATE_LIMIT_MAX: '1000000' };
  let postgres: PostgresCluster | undefined;
  if (variant.hasPostgres) {
    postgres = await proof.timed('dedicated PostgreSQL', async () => {
      const server = await PostgresCluster.create({ user: 'postgres' });
      proof.onCleanup(() => server.destroy());
      await server.start();
      return server;
    });
    env.DATABASE_URL = postgres.url();
    env.DATABASE_CONNECT_TIMEOUT_MS = '2000';
    if (!(await proof.command('node dist/migrate.js', production, process.execPath, ['dist/migrate.js'], { env, timeoutMs: MINUTE }))) return;
    await proof.command('node dist/migrate.js (again: nothing to do)', production, process.execPath, ['dist/migrate.js'], { env, timeoutMs: MINUTE });
  }
  if (variant.hasRedis && context.redisUrl) env.REDIS_URL = context.redisUrl;
  const collector = variant.hasTracing ? await startCollector() : undefined;
  if (collector) {
    proof.onCleanup(collector.close);
    env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.endpoint;
  }

  const port = await freePort();
  env.PORT = String(port);
  const args = variant.hasTracing ? ['--import', './dist/instrumentation.js', 'dist/server.js'] : ['dist/server.js'];
  const server = startServer(production, args, env, port);
  proof.onCleanup(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  });

  // Started means every dependency connected: Redis connects in the background and readiness does not wait for it.
  const healthy = async () => {
    const response = await request(`${server.base}/health`);
    return response.status === 200 && ((await response.json()) as { status?: string }).status === 'ok';
  };
  const started = await proof.timed('start dist/server.js', () => poll(healthy, 30_000, 100));
  if (!started) {
    proof.fail(`dist/server.js did not report every component ok on /health within 30 s\n${server.output()}`);
    return;
  }
  await proof.timed('HTTP checks', () => checkHttpSurface(proof, server, variant));
  if (postgres) {
    const database = postgres;
    await proof.timed('database outage and recovery', () => checkDatabaseOutage(proof, server, database));
  }
  await checkLoad(proof, server);
  await proof.timed('SIGTERM under load', () => checkGracefulShutdown(proof, server));
  if (collector && !collector.paths.includes('/v1/traces')) proof.fail(`no spans were exported to OTEL_EXPORTER_OTLP_ENDPOINT (requests seen: ${collector.paths.join(', ') || 'none'})`);
}

export async function runServiceProof(directory: string, context: CheckContext): Promise<{ findings: Finding[]; timings: StepTiming[] }> {
  const proof = new Proof(context, 'service-proof');
  try {
    await prove(resolve(directory), context, proof);
  } catch (error) {
    proof.fail(`the proof could not run: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await proof.cleanup();
  }
  const total = proof.timings.reduce((sum, timing) => sum + timing.seconds, 0);
  context.log(`service-proof: ${proof.findings.length === 0 ? 'passed' : `${proof.findings.length} finding(s)`} in ${total.toFixed(1)} s (${proof.timings.map((timing) => `${timing.step} ${timing.seconds}s`).join(', ')})`);
  return { findings: proof.findings, timings: proof.timings };
}

/** The load-test templates the load run reads its thresholds from: their hash is part of the tool version, so changing them re-runs the proof (the modules it imports are in the cache key already). */
const LOAD_TEMPLATES_HASH = (() => {
  const hash = createHash('sha256');
  for (const file of ['lib.js.ejs', 'load.js']) hash.update(readFileSync(join(LOAD_TEST_TEMPLATES, file)));
  return hash.digest('hex').slice(0, 12);
})();

async function toolVersion(command: string, args: readonly string[]): Promise<string> {
  const result = await run(command, args, { timeoutMs: 60_000 });
  return result.code === 0 ? result.stdout.trim().split('\n')[0] ?? 'unknown' : 'missing';
}

export const serviceProofCheck: Check = {
  name: 'service-proof',
  inputs: SERVICE_INPUTS,
  facts: variantProjection,
  services: ['postgres', 'redis'],
  // Install, lint, typecheck, one or two test runs, build and the runtime checks: about 2 minutes on 2 cores.
  timeoutMs: 25 * MINUTE,
  async tool() {
    const [npm, postgres, redis] = await Promise.all([toolVersion('npm', ['--version']), toolVersion('psql', ['--version']), toolVersion('redis-server', ['--version'])]);
    return `node ${process.version}, npm ${npm}, ${postgres}, ${redis}, load-test templates ${LOAD_TEMPLATES_HASH}`;
  },
  async run(directory, context) {
    return (await runServiceProof(directory, context)).findings;
  },
};

if (import.meta.main) await runStandalone(serviceProofCheck);
