/**
 * The alert drill and the load run of service-proof, on stand-in services:
 * which combinations each runs on and what their units hold,
 * the drill against a real Prometheus with the generated SLO rules (and with a
 * rule whose threshold was edited so it cannot fire), the load run's journey,
 * thresholds and verdicts.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderProject } from '../../generators/app/render.ts';
import { defaultToolsDir } from '../../matrix/cache.ts';
import { alertDrillCheck, DRILL_RULE_FILES } from '../../matrix/checks/alert-drill.ts';
import { serviceProofCheck, testsWithoutServers } from '../../matrix/checks/service-proof.ts';
import { ContentStore, unitsOf } from '../../matrix/units.ts';
import { driveUntilFiring, driveUntilResolved, waitForAlert } from '../../matrix/checks/service-proof/alert-drill.ts';
import { declaredLoad, envDefault, goodBurst, judge, runJourney, thresholdsOf, type LoadFigures } from '../../matrix/checks/service-proof/load-run.ts';
import { drillConfig, Prometheus } from '../../matrix/checks/service-proof/prometheus.ts';

const prometheusBinary = join(defaultToolsDir(), 'bin', 'prometheus');
const scratch = mkdtempSync(join(tmpdir(), 'service-proof-drills-'));
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  rmSync(scratch, { recursive: true, force: true });
});

function installed(binary: string): boolean {
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    server.closeAllConnections();
    server.close();
  });
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A stand-in app: /ok answers 200, /fail 500, /metrics exports http_requests_total by status code as the generated app does. */
async function standInApp(): Promise<string> {
  const counts: Record<string, number> = { '200': 0 };
  return listen((request, response) => {
    if (request.url === '/metrics') {
      const lines = Object.entries(counts).map(([status, count]) => `http_requests_total{method="GET",route="/api/v1/items",status_code="${status}"} ${count}`);
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`# TYPE http_requests_total counter\n${lines.join('\n')}\n`);
      return;
    }
    const status = request.url === '/fail' ? '500' : '200';
    counts[status] = (counts[status] ?? 0) + 1;
    response.writeHead(Number(status)).end();
  });
}

describe('which combinations service-proof and the alert drill run on', () => {
  const postgresOnly = { hasPostgres: true, hasRedis: false, hasSentry: false, hasTracing: false };
  const store = new ContentStore();
  const files = (slo: string) =>
    new Map(Object.entries({ 'src/server.ts': 'export {};\n', 'package.json': '{}\n', [DRILL_RULE_FILES[0]]: slo, [DRILL_RULE_FILES[1]]: 'groups: []\n' }).map(([path, content]) => [path, store.add(content)]));

  it('service-proof: one unit per app, keyed by the app variant, without the rule files', () => {
    const unitOf = (slo: string, facts: Record<string, unknown>) => unitsOf(serviceProofCheck, 'tool', files(slo), undefined, facts)[0];
    const drilled = { ...postgresOnly, hasObservability: true, name: 'orders-api' };
    expect([...(unitOf('slo: 99.9\n', drilled)?.contents.keys() ?? [])]).toEqual(['package.json', 'src/server.ts']);
    expect(unitOf('slo: 99.9\n', drilled)?.key).toBe(unitOf('slo: 99.5\n', { ...drilled, hasObservability: false, name: 'billing' })?.key);
    expect(unitOf('slo: 99.9\n', drilled)?.facts).toEqual(postgresOnly);
    expect(unitOf('slo: 99.9\n', drilled)?.key).not.toBe(unitOf('slo: 99.9\n', { ...drilled, hasRedis: true })?.key);
  });

  it('the alert drill: only with observability on the PostgreSQL-only variant, one unit per rule set and scrape job', () => {
    const unitOf = (slo: string, facts: Record<string, unknown>) => unitsOf(alertDrillCheck, 'tool', files(slo), undefined, facts)[0];
    const drilled = { ...postgresOnly, hasObservability: true, name: 'orders-api' };
    expect([...(unitOf('slo: 99.9\n', drilled)?.contents.keys() ?? [])]).toEqual(['package.json', ...DRILL_RULE_FILES, 'src/server.ts'].sort());
    expect(unitOf('slo: 99.9\n', drilled)?.facts).toEqual({ job: 'orders-api' });
    expect(unitOf('slo: 99.9\n', drilled)?.key).not.toBe(unitOf('slo: 99.5\n', drilled)?.key);
    expect(unitOf('slo: 99.9\n', drilled)?.key).not.toBe(unitOf('slo: 99.9\n', { ...drilled, name: 'billing' })?.key);
    for (const other of [{ hasObservability: false }, { hasPostgres: false }, { hasRedis: true }, { hasSentry: true }, { hasTracing: true }]) {
      expect(unitOf('slo: 99.9\n', { ...drilled, ...other })).toBeUndefined();
    }
  });

  it('runs the test suite without server URLs where the variant has no server, and on the variant with every dependency', () => {
    const variant = (hasPostgres: boolean, hasRedis: boolean, hasSentry: boolean, hasTracing: boolean) => ({ hasPostgres, hasRedis, hasSentry, hasTracing });
    expect(testsWithoutServers(variant(false, false, false, false))).toBe(true);
    expect(testsWithoutServers(variant(false, false, true, true))).toBe(true);
    expect(testsWithoutServers(variant(true, true, true, true))).toBe(true);
    expect(testsWithoutServers(variant(true, false, false, false))).toBe(false);
    expect(testsWithoutServers(variant(false, true, false, false))).toBe(false);
    expect(testsWithoutServers(variant(true, true, true, false))).toBe(false);
  });
});

describe('the drill configuration', () => {
  it('scrapes one job at the given interval and loads the rule files, with no Alertmanager', () => {
    expect(drillConfig({ ruleFiles: ['/p/slo.yaml', '/p/meta.yaml'], target: { address: '127.0.0.1:3000', metricsPath: '/metrics', job: 'orders-api' }, intervalSeconds: 1 })).toBe(
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        '  - /p/slo.yaml',
        '  - /p/meta.yaml',
        'scrape_configs:',
        '  - job_name: orders-api',
        '    metrics_path: /metrics',
        '    static_configs:',
        '      - targets:',
        '          - 127.0.0.1:3000',
        '',
      ].join('\n'),
    );
  });
});

describe.skipIf(!installed(prometheusBinary))('the SLO burn-rate drill against a real Prometheus', () => {
  let address: string;
  let rules: Map<string, string>;

  beforeAll(async () => {
    rules = new Map((await renderProject({ name: 'orders-api' })).files);
    address = await standInApp();
  });

  async function prometheusWith(name: string, change: (content: string) => string = (content) => content): Promise<{ prometheus: Prometheus; files: string[] }> {
    const directory = join(scratch, name);
    mkdirSync(directory, { recursive: true });
    const files = DRILL_RULE_FILES.map((path) => {
      const file = join(directory, path.split('/').pop() ?? path);
      writeFileSync(file, change(rules.get(path) ?? ''));
      return file;
    }).sort();
    const prometheus = await Prometheus.start({ binary: prometheusBinary, ruleFiles: files, target: { address, metricsPath: '/metrics', job: 'orders-api' }, intervalSeconds: 1 });
    closers.push(() => prometheus.stop());
    return { prometheus, files };
  }

  const errors = async () => {
    const statuses = await Promise.all([fetch(`http://${address}/fail`), fetch(`http://${address}/fail`)].map((response) => response.then((r) => r.status)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    return statuses.filter((status) => status >= 500).length;
  };

  it('fires ErrorBudgetBurnFast from the generated rules under 5xx traffic and resolves it under good traffic', async () => {
    const { prometheus, files } = await prometheusWith('generated');
    expect((await prometheus.rules()).files).toEqual(files);
    expect((await waitForAlert(prometheus, 'Watchdog', {}, 'firing', 15_000)).finding).toBeUndefined();
    expect(await prometheus.alert('ErrorBudgetBurnFast', { job: 'orders-api' })).toBeUndefined();

    const fired = await driveUntilFiring({ prometheus, alert: 'ErrorBudgetBurnFast', labels: { job: 'orders-api' }, traffic: errors, timeoutMs: 30_000 });
    expect(fired.finding).toBeUndefined();
    expect(fired.reached).toBe(true);
    expect(fired.answers).toBeGreaterThan(0);
    expect((await prometheus.alert('ErrorBudgetBurnFast', { job: 'orders-api' }))?.labels).toMatchObject({ severity: 'critical', notify: 'page' });

    const resolved = await driveUntilResolved({ prometheus, alert: 'ErrorBudgetBurnFast', labels: { job: 'orders-api' }, traffic: () => goodBurst(`http://${address}/ok`, 1), timeoutMs: 60_000 });
    expect(resolved.finding).toBeUndefined();
    expect(resolved.answers).toBeGreaterThan(0);
    expect((await prometheus.rules()).errors).toEqual([]);
  }, 120_000);

  it('reports the alert when a rule whose threshold was edited cannot fire', async () => {
    // 14.4 × and 6 × the budget of 1000 × 0.001: an error ratio above 1, which no traffic reaches.
    const { prometheus } = await prometheusWith('unreachable', (content) => content.replaceAll('* 0.001', '* 1'));
    await waitForAlert(prometheus, 'Watchdog', {}, 'firing', 15_000);
    const fired = await driveUntilFiring({ prometheus, alert: 'ErrorBudgetBurnFast', labels: { job: 'orders-api' }, traffic: errors, timeoutMs: 6_000 });
    expect(fired.reached).toBe(false);
    expect(fired.finding).toBe(`ErrorBudgetBurnFast{job="orders-api"} did not fire within 6 s of error traffic (${fired.answers} error answers sent)`);
    expect(fired.answers).toBeGreaterThan(0);
  }, 60_000);

  it('reports an alert that does not reach the state waited for', async () => {
    const { prometheus } = await prometheusWith('quiet');
    expect((await waitForAlert(prometheus, 'ErrorBudgetBurnFast', { job: 'orders-api' }, 'firing', 2_000)).finding).toBe('ErrorBudgetBurnFast{job="orders-api"} was not firing within 2 s');
  }, 60_000);
});

describe('the load run', () => {
  it('reads the thresholds and virtual users from the load-test templates, as the generated scripts have them', async () => {
    const declared = declaredLoad();
    expect(declared).toEqual({ p95Ms: 500, maxErrorRate: 0.01, virtualUsers: 20 });
    const { files } = await renderProject({ name: 'orders-api', loadTest: true });
    expect(thresholdsOf(files.get('load-tests/lib.js') ?? '')).toEqual({ p95Ms: declared.p95Ms, maxErrorRate: declared.maxErrorRate });
    expect(envDefault(files.get('load-tests/load.js') ?? '', 'VUS')).toBe(declared.virtualUsers);
    expect(() => thresholdsOf("export const thresholds = { http_req_duration: ['p(95)<500'] };")).toThrow("the k6 script declares no numberFromEnv('P95_MS', <default>)");
  });

  const figures = (change: Partial<LoadFigures>): LoadFigures => ({ requests: 1000, requestsPerSecond: 200, p50Ms: 5, p97_5Ms: 40, p99Ms: 60, failed: 0, errorRate: 0, ...change });
  const thresholds = { p95Ms: 500, maxErrorRate: 0.01 };

  it('passes figures under both thresholds and names each one a run breaks', () => {
    expect(judge(figures({}), thresholds)).toEqual([]);
    expect(judge(figures({ p97_5Ms: 500 }), thresholds)).toEqual(['load run: p97.5 latency 500 ms is not below the k6 threshold p(95)<500 ms']);
    expect(judge(figures({ failed: 10, errorRate: 0.01 }), thresholds)).toEqual(['load run: 10 of 1000 requests failed (1.00 %), not below the k6 threshold http_req_failed rate<0.01']);
    expect(judge(figures({ requests: 0, errorRate: 1, failed: 0 }), thresholds)).toEqual([
      'the load run completed no request',
      'load run: 0 of 0 requests failed (100.00 %), not below the k6 threshold http_req_failed rate<0.01',
    ]);
  });

  /** A stand-in items API; `deleteStatus` is what DELETE answers. */
  async function itemsApi(deleteStatus: number): Promise<{ base: string; seen: Set<string> }> {
    const items = new Map<string, string>();
    const seen = new Set<string>();
    let next = 0;
    const address = await listen((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const id = /^\/api\/v1\/items\/([^/]+)$/.exec(url.pathname)?.[1];
      seen.add(`${request.method} ${id === undefined ? url.pathname : '/api/v1/items/:id'}`);
      const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        if (url.pathname === '/health') return json(200, { status: 'ok' });
        if (url.pathname === '/api/v1/items' && request.method === 'GET') return json(200, { items: [], nextCursor: null });
        if (url.pathname === '/api/v1/items' && request.method === 'POST') {
          const item = { id: String((next += 1)), name: (JSON.parse(body) as { name: string }).name };
          items.set(item.id, item.name);
          return json(201, item);
        }
        if (id !== undefined && request.method === 'GET') return items.has(id) ? json(200, { id, name: items.get(id) }) : json(404, {});
        if (id !== undefined && request.method === 'DELETE') {
          items.delete(id);
          return response.writeHead(deleteStatus).end();
        }
        return json(404, {});
      });
    });
    return { base: `http://${address}`, seen };
  }

  it('replays the k6 journey (health, list, create, read, delete) and counts failed answers', async () => {
    const healthy = await itemsApi(204);
    const good = await runJourney({ base: healthy.base, healthPath: '/health', itemsPath: '/api/v1/items', connections: 2, durationSeconds: 1 });
    expect([...healthy.seen].sort()).toEqual(['DELETE /api/v1/items/:id', 'GET /api/v1/items', 'GET /api/v1/items/:id', 'GET /health', 'POST /api/v1/items']);
    expect(good.requests).toBeGreaterThan(0);
    expect(good.failed).toBe(0);
    expect(judge(good, thresholds)).toEqual([]);

    const broken = await itemsApi(500);
    const bad = await runJourney({ base: broken.base, healthPath: '/health', itemsPath: '/api/v1/items', connections: 2, durationSeconds: 1 });
    // One request in five (the DELETE) fails.
    expect(bad.errorRate).toBeGreaterThan(0.15);
    expect(judge(bad, thresholds)).toEqual([`load run: ${bad.failed} of ${bad.requests} requests failed (${(bad.errorRate * 100).toFixed(2)} %), not below the k6 threshold http_req_failed rate<0.01`]);
  }, 30_000);

  it('runs the journey in a process of its own and reports that process failing', async () => {
    const api = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = api.address() as AddressInfo;
      const figures = await runJourney({ base: `http://127.0.0.1:${port}`, healthPath: '/health', itemsPath: '/api/v1/items', connections: 1, durationSeconds: 1 });
      expect(figures.requests).toBeGreaterThan(0);
      expect(figures.failed).toBe(0);
    } finally {
      api.close();
    }
    await expect(runJourney({ base: 'not a url', healthPath: '/health', itemsPath: '/api/v1/items', connections: 1, durationSeconds: 1 })).rejects.toThrow(/^the load client failed \(exit 1\):\n/);
  }, 30_000);
});
