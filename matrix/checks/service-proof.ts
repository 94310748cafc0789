/**
 * Proves the generated service works, with the real tools, on one app variant:
 * install, lint, typecheck, the test suite on the embedded database and again
 * on a real PostgreSQL (and Redis), build, then a production-only install
 * whose `dist/server.js` is started and probed over HTTP: probes, metrics,
 * security headers, a CRUD round trip, problem details, readiness through a
 * database outage and recovery (on a dedicated, throwaway PostgreSQL), a
 * loopback load run of the k6 journey judged by the k6 scripts' thresholds,
 * and a graceful SIGTERM under load. With observability, a real Prometheus
 * scrapes the running app with the generated SLO and Watchdog rule files
 * loaded: the Watchdog fires, the SLO fast-burn page fires from the 5xx
 * answers of the database outage and resolves under good traffic (without a
 * database it must stay silent), and no rule fails to evaluate.
 *
 * The variant (PostgreSQL, Redis, Sentry, tracing) comes from the
 * combination's facts (context.facts), not from the generated files.
 *
 * Run directly on a generated project (its check inputs are copied to a
 * scratch directory, and its facts come from its .yo-rc.json):
 *   SERVICE_PROOF_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *   SERVICE_PROOF_REDIS_URL=redis://127.0.0.1:6379 \
 *   node matrix/checks/service-proof.ts <project-dir>
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { prepareDirectRun } from '../support/direct-run.ts';
import { variantFrom, variantProjection, type Facts, type VariantFacts } from '../support/facts.ts';
import { freePort } from '../support/ports.ts';
import { PostgresCluster, throwawayDatabase } from '../support/postgres.ts';
import { run, startProcess, tail } from '../support/process.ts';
import { driveUntilFiring, driveUntilResolved, waitForAlert, type Traffic } from './service-proof/alert-drill.ts';
import { declaredLoad, describe, goodBurst, judge, LOAD_TEST_TEMPLATES, runJourney } from './service-proof/load-run.ts';
import { Prometheus } from './service-proof/prometheus.ts';

/** The files the app, its tests and its quality gates read. */
export const SERVICE_INPUTS = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'eslint.config.js',
  'vitest.config.ts',
  '.env.example',
  'docs/configuration.md',
  'src/**',
  'test/**',
] as const;

/**
 * The generated Prometheus rule files the alert drill loads, unmodified: the
 * SLO recording rules and burn-rate alerts, and the Watchdog. The other rule
 * files (app.yaml, database.yaml, ...) vary with the deploy target and
 * platform, and their alerts wait minutes (`for:`) before firing; promtool's
 * unit tests prove them.
 */
export const DRILL_RULE_FILES = ['deploy/monitoring/prometheus/rules/slo.yaml', 'deploy/monitoring/prometheus/rules/meta.yaml'] as const;
/** The SLO page the drill fires and resolves, and the always-firing heartbeat (see generators/service/alerts.ts). */
const FAST_BURN_ALERT = 'ErrorBudgetBurnFast';
const WATCHDOG_ALERT = 'Watchdog';
/** Scrape and evaluation interval of the drill's Prometheus: 1 s, so the drill takes seconds, not the minutes of production's 30 s. */
const DRILL_INTERVAL_S = 1;
/** The loopback load run: a few seconds of the k6 journey. */
const LOAD_RUN_SECONDS = 5;

/**
 * Whether this combination's proof runs the alert drill: with observability,
 * on one app variant, PostgreSQL and nothing else. The SLO rules do not depend
 * on the app variant, and a database outage is the one honest way the app
 * answers 5xx, so one variant proves each distinct rule set; drilling all
 * seventeen variants would triple this check's units (each a full install,
 * test and build) for no new evidence.
 */
export function drillsAlerts(facts: Facts): boolean {
  return facts.hasObservability === true && facts.hasPostgres === true && facts.hasRedis !== true && facts.hasSentry !== true && facts.hasTracing !== true;
}

/** What service-proof depends on besides its files: the app variant, whether it runs the alert drill, and the scrape job (the project name) the drill's rules select on. */
export interface ServiceProofFacts extends VariantFacts {
  alertDrill: boolean;
  job: string;
}

export function serviceProofProjection(facts: Facts): ServiceProofFacts {
  const alertDrill = drillsAlerts(facts);
  // The job only matters to the drill: without it, it stays out of the unit key.
  return { ...variantProjection(facts), alertDrill, job: alertDrill && typeof facts.name === 'string' ? facts.name : '' };
}

export interface StepTiming {
  step: string;
  seconds: number;
}

const MINUTE = 60_000;
/** The grace period the service must shut down within (Kubernetes' default). */
const GRACE_PERIOD_MS = 30_000;
const DRAIN_MS = 1500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The environment of a step: this process's, without anything that would change which servers the project uses. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(DATABASE_|REDIS_|SENTRY_|OTEL_|NODE_ENV$|PORT$|HOST$|LOG_LEVEL$|NODE_OPTIONS$|SERVICE_PROOF_)/.test(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

class Proof {
  readonly findings: Finding[] = [];
  readonly timings: StepTiming[] = [];
  readonly #cleanups: (() => Promise<void>)[] = [];
  readonly context: CheckContext;

  constructor(context: CheckContext) {
    this.context = context;
  }

  fail(message: string, file?: string): void {
    this.findings.push(file === undefined ? { message } : { file, message });
  }

  onCleanup(cleanup: () => Promise<void>): void {
    this.#cleanups.unshift(cleanup);
  }

  async cleanup(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0)) {
      try {
        await cleanup();
      } catch (error) {
        this.context.log(`cleanup failed: ${(error as Error).message}`);
      }
    }
  }

  async timed<T>(step: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.context.log(`service-proof: ${step}`);
    try {
      return await work();
    } finally {
      this.timings.push({ step, seconds: Math.round((performance.now() - started) / 100) / 10 });
    }
  }

  /** Runs a command; a non-zero exit is a finding. Returns whether it passed. */
  async command(step: string, cwd: string, command: string, args: readonly string[], options: { env?: Record<string, string>; timeoutMs: number }): Promise<boolean> {
    return this.timed(step, async () => {
      const result = await run(command, args, { cwd, env: baseEnv(options.env), timeoutMs: options.timeoutMs });
      if (result.code === 0) return true;
      const why = result.timedOut ? `timed out after ${options.timeoutMs / 1000} s` : result.code === undefined ? (result.signal ? `exited with ${result.signal}` : `could not run: ${result.failure}`) : `exited with ${result.code}`;
      this.fail(`${step}: \`${[command, ...args].join(' ')}\` ${why}\n${tail(result.all)}`);
      return false;
    });
  }
}

// ---------------------------------------------------------------------------
// The running service.

interface Server {
  child: ChildProcess;
  base: string;
  logs: Record<string, unknown>[];
  output(): string;
  exited: Promise<number | string>;
}

function startServer(directory: string, args: readonly string[], env: Record<string, string>, port: number): Server {
  const { subprocess, child } = startProcess(process.execPath, args, { cwd: directory, env: baseEnv(env), output: 'pipe' });
  const logs: Record<string, unknown>[] = [];
  let output = '';
  let partial = '';
  subprocess.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log line.
      }
    }
  });
  subprocess.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, base: `http://127.0.0.1:${port}`, logs, output: () => tail(output), exited };
}

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
}

export async function poll(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if (await probe()) return true;
    } catch {
      // Not yet.
    }
    await sleep(intervalMs);
  }
  return false;
}

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

/** Stops PostgreSQL, checks readiness and liveness, runs `whileDown` (the alert drill's error traffic), restarts it and checks recovery. */
async function checkDatabaseOutage(proof: Proof, server: Server, postgres: PostgresCluster, whileDown?: () => Promise<void>): Promise<void> {
  const { base } = server;
  const status = async () => (await request(`${base}/readyz`)).status;
  await postgres.stop();
  if (!(await poll(async () => (await status()) === 503, 15_000))) proof.fail('/readyz did not turn 503 within 15 s of stopping PostgreSQL');
  const live = await request(`${base}/livez`);
  if (live.status !== 200) proof.fail(`/livez answered ${live.status} while PostgreSQL was down; liveness must not depend on it`);
  if (whileDown) await whileDown();
  await postgres.start();
  if (!(await poll(async () => (await status()) === 200, 30_000))) {
    proof.fail('/readyz did not return to 200 within 30 s of restarting PostgreSQL (no automatic recovery)');
    return;
  }
  const afterwards = await request(`${base}/api/v1/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `after-outage-${randomBytes(3).toString('hex')}` }) });
  if (afterwards.status !== 201) proof.fail(`after PostgreSQL came back, POST /api/v1/items answered ${afterwards.status}`);
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
  const exit = await Promise.race([server.exited, sleep(GRACE_PERIOD_MS).then(() => 'still running')]);
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
// The load run and the alert drill.

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

/**
 * Prometheus scraping the running app every second with the drill's rule
 * files loaded; ready when the target is up, the rules are loaded and the
 * Watchdog fires. Returns undefined (with a finding) when it cannot be had.
 */
async function startDrillPrometheus(proof: Proof, directory: string, server: Server, job: string): Promise<Prometheus | undefined> {
  return proof.timed('Prometheus with the generated rules', async () => {
    const files = DRILL_RULE_FILES.map((file) => join(directory, file)).sort();
    const missing = DRILL_RULE_FILES.filter((file) => !existsSync(join(directory, file)));
    if (missing.length > 0) {
      proof.fail(`observability is on but the project has no ${missing.join(', ')}`);
      return undefined;
    }
    let prometheus: Prometheus;
    try {
      prometheus = await Prometheus.start({
        binary: join(proof.context.toolsDir, 'bin', 'prometheus'),
        ruleFiles: files,
        target: { address: new URL(server.base).host, metricsPath: '/metrics', job },
        intervalSeconds: DRILL_INTERVAL_S,
      });
    } catch (error) {
      proof.fail(`the alert drill's Prometheus did not start: ${(error as Error).message}`);
      return undefined;
    }
    proof.onCleanup(() => prometheus.stop());
    const up = await poll(async () => (await prometheus.value(`up{job="${job}"}`)) === 1, 15_000, 250);
    if (!up) proof.fail(`Prometheus could not scrape /metrics of the running app as job "${job}" within 15 s\n${prometheus.output()}`);
    const loaded = (await prometheus.rules()).files;
    if (JSON.stringify(loaded) !== JSON.stringify(files)) proof.fail(`Prometheus loaded the rule files ${loaded.join(', ') || '(none)'}, expected ${files.join(', ')}\n${prometheus.output()}`);
    const watchdog = await waitForAlert(prometheus, WATCHDOG_ALERT, {}, 'firing', 15_000);
    if (watchdog.finding) proof.fail(watchdog.finding);
    const early = await prometheus.alert(FAST_BURN_ALERT, { job });
    if (early) proof.fail(`${FAST_BURN_ALERT} is ${early.state} before any error traffic`);
    return prometheus;
  });
}

/** While PostgreSQL is down: readiness and the items list answer 5xx, ten rounds a second, until the fast-burn page fires. */
async function fireBurnAlert(proof: Proof, server: Server, prometheus: Prometheus, job: string): Promise<boolean> {
  const errors: Traffic = async () => {
    const statuses = await Promise.all(
      [`${server.base}/readyz`, `${server.base}/api/v1/items?limit=1`].map((url) =>
        request(url).then(
          async (response) => {
            await response.arrayBuffer();
            return response.status;
          },
          () => 0,
        ),
      ),
    );
    await sleep(100);
    return statuses.filter((status) => status >= 500).length;
  };
  const started = performance.now();
  const result = await driveUntilFiring({ prometheus, alert: FAST_BURN_ALERT, labels: { job }, traffic: errors, timeoutMs: 30_000 });
  proof.timings.push({ step: `${FAST_BURN_ALERT} fired (${result.answers} 5xx answers)`, seconds: Math.round((performance.now() - started) / 100) / 10 });
  if (result.finding) proof.fail(`${result.finding}\n${prometheus.output()}`);
  return result.reached;
}

/** Good traffic (GET /livez) in one-second bursts until the page resolves: the error ratio of both windows falls below the threshold. */
async function resolveBurnAlert(proof: Proof, server: Server, prometheus: Prometheus, job: string): Promise<void> {
  const started = performance.now();
  const result = await driveUntilResolved({ prometheus, alert: FAST_BURN_ALERT, labels: { job }, traffic: () => goodBurst(`${server.base}/livez`, 1), timeoutMs: 60_000 });
  proof.timings.push({ step: `${FAST_BURN_ALERT} resolved (${result.answers} good answers)`, seconds: Math.round((performance.now() - started) / 100) / 10 });
  if (result.finding) proof.fail(result.finding);
}

/** No loaded rule failed its last evaluation against the app's real series. */
async function checkRuleHealth(proof: Proof, prometheus: Prometheus): Promise<void> {
  for (const error of (await prometheus.rules()).errors) proof.fail(`rule ${error.rule} of group ${error.group} failed to evaluate against the running app: ${error.error}`);
}

// ---------------------------------------------------------------------------

async function prove(directory: string, context: CheckContext, proof: Proof): Promise<void> {
  const variant = variantFrom(context.facts);
  // context.facts is this check's projection (serviceProofProjection), as the runner and the direct run give it.
  const projected = (context.facts ?? {}) as Partial<ServiceProofFacts>;
  const observed = { alertDrill: projected.alertDrill === true, job: projected.job ?? '' };
  if (observed.alertDrill && observed.job === '') proof.fail('the facts name no scrape job for the alert drill');
  if (!(await proof.command('npm install', directory, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { timeoutMs: 8 * MINUTE }))) return;
  await proof.command('npm run lint', directory, 'npm', ['run', 'lint'], { timeoutMs: 5 * MINUTE });
  await proof.command('npm run typecheck', directory, 'npm', ['run', 'typecheck'], { timeoutMs: 3 * MINUTE });
  await proof.command('npm test (embedded)', directory, 'npm', ['test'], { timeoutMs: 8 * MINUTE });

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
  const prometheus = observed.alertDrill ? await startDrillPrometheus(proof, directory, server, observed.job) : undefined;
  await proof.timed('HTTP checks', () => checkHttpSurface(proof, server, variant));
  let fired = false;
  if (postgres) {
    const database = postgres;
    // The outage's 5xx answers (readiness and the items API while PostgreSQL is down) are the error traffic of the burn-rate drill.
    const whileDown = prometheus && (async () => void (fired = await fireBurnAlert(proof, server, prometheus, observed.job)));
    await proof.timed('database outage and recovery', () => checkDatabaseOutage(proof, server, database, whileDown));
  }
  await checkLoad(proof, server);
  if (prometheus) {
    await checkRuleHealth(proof, prometheus);
    if (fired) await resolveBurnAlert(proof, server, prometheus, observed.job);
    else if (!postgres) {
      const alert = await prometheus.alert(FAST_BURN_ALERT, { job: observed.job });
      if (alert) proof.fail(`${FAST_BURN_ALERT} is ${alert.state} after good traffic only`);
    }
  }
  await proof.timed('SIGTERM under load', () => checkGracefulShutdown(proof, server));
  if (collector && !collector.paths.includes('/v1/traces')) proof.fail(`no spans were exported to OTEL_EXPORTER_OTLP_ENDPOINT (requests seen: ${collector.paths.join(', ') || 'none'})`);
}

export async function runServiceProof(directory: string, context: CheckContext): Promise<{ findings: Finding[]; timings: StepTiming[] }> {
  const proof = new Proof(context);
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

/** The drill and load-run helpers and the load-test templates they read thresholds from: their hash is part of the tool version, so changing them re-runs the proof. */
const HELPERS_HASH = (() => {
  const hash = createHash('sha256');
  const helpers = join(import.meta.dirname, 'service-proof');
  for (const file of ['alert-drill.ts', 'load-run.ts', 'prometheus.ts']) hash.update(readFileSync(join(helpers, file)));
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
  sampledInputs: { globs: DRILL_RULE_FILES, when: drillsAlerts },
  facts: serviceProofProjection,
  services: ['postgres', 'redis'],
  // Install, lint, typecheck, two test runs, build and the runtime checks: about 3 minutes on 2 cores.
  timeoutMs: 25 * MINUTE,
  async tool(context) {
    const [npm, postgres, redis, prometheus] = await Promise.all([
      toolVersion('npm', ['--version']),
      toolVersion('psql', ['--version']),
      toolVersion('redis-server', ['--version']),
      toolVersion(join(context.toolsDir, 'bin', 'prometheus'), ['--version']),
    ]);
    return `node ${process.version}, npm ${npm}, ${postgres}, ${redis}, ${prometheus}, drill and load run ${HELPERS_HASH}`;
  },
  async run(directory, context) {
    return (await runServiceProof(directory, context)).findings;
  },
};

if (import.meta.main) {
  const directory = process.argv[2];
  if (!directory) {
    process.stderr.write('usage: node matrix/checks/service-proof.ts <generated-project-dir>\n(SERVICE_PROOF_POSTGRES_URL and SERVICE_PROOF_REDIS_URL name the servers for the second test run)\n');
    process.exit(2);
  }
  const toolsDir = resolve(process.env.SERVICE_PROOF_TOOLS_DIR ?? '.');
  mkdirSync(toolsDir, { recursive: true });
  // Exactly the files (and facts) the runner would give the check, in a scratch directory.
  const prepared = prepareDirectRun(serviceProofCheck, directory);
  const context: CheckContext = {
    ...(process.env.SERVICE_PROOF_POSTGRES_URL ? { postgresUrl: process.env.SERVICE_PROOF_POSTGRES_URL } : {}),
    ...(process.env.SERVICE_PROOF_REDIS_URL ? { redisUrl: process.env.SERVICE_PROOF_REDIS_URL } : {}),
    toolsDir,
    log: (message) => process.stderr.write(`${message}\n`),
    ...prepared.context,
  };
  try {
    const { findings, timings } = await runServiceProof(prepared.directory, context);
    process.stdout.write(`${JSON.stringify({ directory, facts: context.facts, findings, timings }, null, 2)}\n`);
    process.exitCode = findings.length === 0 ? 0 : 1;
  } finally {
    prepared.remove();
  }
}
