/**
 * The SLO alert drill: the generated burn-rate and Watchdog rule files,
 * unmodified, loaded into a real Prometheus that scrapes the running app every
 * second. The Watchdog must fire; the fast-burn page must stay quiet under
 * good traffic, fire from the 5xx answers the app gives while its PostgreSQL
 * is down, and resolve under good traffic once PostgreSQL is back; no rule may
 * fail to evaluate against the app's real series.
 *
 * It runs on the one app variant with PostgreSQL and nothing else, once per
 * distinct rule set and project name (the scrape job the rules select on).
 * The SLO rules do not depend on the app variant, and a database outage is
 * the one honest way the app answers 5xx. The app itself (its lint, types,
 * tests and runtime behaviour) is proven by service-proof on the same files;
 * here it is only installed, built and started.
 *
 * Run directly on a generated project: node matrix/checks/alert-drill.ts <project-dir> [--verbose]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { withDeadline } from '../support/deadline.ts';
import { runStandalone } from '../support/direct-run.ts';
import type { Facts } from '../support/facts.ts';
import { freePort } from '../support/ports.ts';
import { PostgresCluster } from '../support/postgres.ts';
import { run } from '../support/process.ts';
import { driveUntilFiring, driveUntilResolved, waitForAlert, type Traffic } from './service-proof/alert-drill.ts';
import { goodBurst } from './service-proof/load-run.ts';
import { checkDatabaseOutage, DRAIN_MS, MINUTE, poll, Proof, request, SERVICE_INPUTS, sleep, startServer, type Server } from './service-proof/proof.ts';
import { Prometheus } from './service-proof/prometheus.ts';

/**
 * The generated Prometheus rule files the drill loads, unmodified: the SLO
 * recording rules and burn-rate alerts, and the Watchdog. The other rule
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

/** Whether a combination is drilled: with observability, on the app variant with PostgreSQL and nothing else. */
export function drillsAlerts(facts: Facts): boolean {
  return facts.hasObservability === true && facts.hasPostgres === true && facts.hasRedis !== true && facts.hasSentry !== true && facts.hasTracing !== true;
}

/** What the drill depends on besides its files: the scrape job (the project name) the rules select on. */
export function alertDrillProjection(facts: Facts): { job: string } {
  return { job: typeof facts.name === 'string' ? facts.name : '' };
}

/**
 * Prometheus scraping the running app every second with the drill's rule
 * files loaded; ready when the target is up, the rules are loaded and the
 * Watchdog fires. Returns undefined (with a finding) when it cannot be had.
 */
async function startDrillPrometheus(proof: Proof, directory: string, server: Server, job: string): Promise<Prometheus | undefined> {
  return proof.timed('Prometheus with the generated rules', async () => {
    const files = DRILL_RULE_FILES.map((file) => join(directory, file)).sort();
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

async function drill(directory: string, context: CheckContext, proof: Proof): Promise<void> {
  const job = (context.facts as { job?: string } | undefined)?.job ?? '';
  if (job === '') {
    proof.fail('the facts name no scrape job for the alert drill');
    return;
  }
  const missing = DRILL_RULE_FILES.filter((file) => !existsSync(join(directory, file)));
  if (missing.length > 0) {
    proof.fail(`observability is on but the project has no ${missing.join(', ')}`);
    return;
  }
  if (!(await proof.command('npm install', directory, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { timeoutMs: 8 * MINUTE }))) return;
  if (!(await proof.command('npm run build', directory, 'npm', ['run', 'build'], { timeoutMs: 3 * MINUTE }))) return;

  const postgres = await proof.timed('dedicated PostgreSQL', async () => {
    const server = await PostgresCluster.create({ user: 'postgres' });
    proof.onCleanup(() => server.destroy());
    await server.start();
    return server;
  });
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
    RATE_LIMIT_MAX: '1000000',
    DATABASE_URL: postgres.url(),
    DATABASE_CONNECT_TIMEOUT_MS: '2000',
  };
  if (!(await proof.command('node dist/migrate.js', directory, process.execPath, ['dist/migrate.js'], { env, timeoutMs: MINUTE }))) return;
  const server = startServer(directory, ['dist/server.js'], env, port);
  proof.onCleanup(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await withDeadline(server.exited, 5000, undefined);
  });
  const started = await proof.timed('start dist/server.js', () => poll(async () => (await request(`${server.base}/readyz`)).status === 200, 30_000, 100));
  if (!started) {
    proof.fail(`dist/server.js did not turn ready within 30 s\n${server.output()}`);
    return;
  }
  const prometheus = await startDrillPrometheus(proof, directory, server, job);
  if (!prometheus) return;
  let fired = false;
  await proof.timed('database outage', () => checkDatabaseOutage(proof, server, postgres, async () => void (fired = await fireBurnAlert(proof, server, prometheus, job))));
  await checkRuleHealth(proof, prometheus);
  if (fired) await resolveBurnAlert(proof, server, prometheus, job);
}

export async function runAlertDrill(directory: string, context: CheckContext): Promise<Finding[]> {
  const proof = new Proof(context, 'alert-drill');
  try {
    await drill(resolve(directory), context, proof);
  } catch (error) {
    proof.fail(`the drill could not run: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await proof.cleanup();
  }
  const total = proof.timings.reduce((sum, timing) => sum + timing.seconds, 0);
  context.log(`alert-drill: ${proof.findings.length === 0 ? 'passed' : `${proof.findings.length} finding(s)`} in ${total.toFixed(1)} s (${proof.timings.map((timing) => `${timing.step} ${timing.seconds}s`).join(', ')})`);
  return proof.findings;
}

async function version(command: string, args: readonly string[]): Promise<string> {
  const result = await run(command, args, { timeoutMs: 60_000 });
  return result.code === 0 ? (result.stdout.trim().split('\n')[0] ?? 'unknown') : 'missing';
}

export const alertDrillCheck: Check = {
  name: 'alert-drill',
  inputs: [...SERVICE_INPUTS, ...DRILL_RULE_FILES],
  appliesTo: DRILL_RULE_FILES,
  when: drillsAlerts,
  facts: alertDrillProjection,
  // Install, build, a dedicated PostgreSQL and about a minute of traffic.
  timeoutMs: 10 * MINUTE,
  async tool(context) {
    const [npm, postgres, prometheus] = await Promise.all([
      version('npm', ['--version']),
      version(join(context.toolsDir, 'bin', 'postgres'), ['--version']),
      version(join(context.toolsDir, 'bin', 'prometheus'), ['--version']),
    ]);
    return `node ${process.version}, npm ${npm}, ${postgres}, ${prometheus}`;
  },
  run: runAlertDrill,
};

if (import.meta.main) await runStandalone(alertDrillCheck);
