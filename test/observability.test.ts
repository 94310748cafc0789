import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderProject, type RenderedProject } from '../generators/app/render.ts';
import { defaultToolsDir } from '../matrix/cache.ts';
import type { CheckContext } from '../matrix/check.ts';
import alertsConsistency from '../matrix/checks/alerts-consistency.ts';
import amtool from '../matrix/checks/amtool.ts';
import grafanaDashboard from '../matrix/checks/grafana-dashboard.ts';
import promtool, { untestedAlerts } from '../matrix/checks/promtool.ts';
import { parseExpression } from '../matrix/checks/observability/promql.ts';

const toolsDir = defaultToolsDir();
const context: CheckContext = { toolsDir, log: () => {} };
const scratch = mkdtempSync(join(tmpdir(), 'observability-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeProject(project: RenderedProject, name: string): string {
  const root = join(scratch, name);
  for (const [path, content] of project.files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** A copy of a written project with one file changed. */
function variant(root: string, name: string, path: string, change: (content: string) => string): string {
  const copy = join(scratch, name);
  cpSync(root, copy, { recursive: true });
  writeFileSync(join(copy, path), change(readFileSync(join(copy, path), 'utf8')));
  return copy;
}

function installed(tool: string): boolean {
  try {
    execFileSync(join(toolsDir, 'bin', tool), ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const monitoringPaths = (files: Map<string, string>) => [...files.keys()].filter((path) => path.startsWith('deploy/monitoring/') || path.startsWith('docs/runbooks/') || path.includes('components/monitoring') || path === 'docs/operations.md');
const alertNames = (files: Map<string, string>) =>
  [...files.keys()]
    .filter((path) => path.startsWith('deploy/monitoring/prometheus/tests/'))
    .map((path) => path.slice('deploy/monitoring/prometheus/tests/'.length, -'.yaml'.length))
    .sort();

describe('files each option combination writes', () => {
  it('writes no monitoring file with --no-observability', async () => {
    const { files } = await renderProject({ name: 'orders-api', observability: false, deploy: 'both' });
    expect(monitoringPaths(files)).toEqual([]);
    expect(files.get('README.md')).not.toContain('Monitoring and alerts');
  });

  it('declares the alerts of the chosen platform and dependencies only', async () => {
    const minimal = await renderProject({ name: 'orders-api', deploy: 'compose', database: 'none', cache: 'none' });
    expect(alertNames(minimal.files)).toEqual(['ErrorBudgetBurnFast', 'ErrorBudgetBurnSlow', 'EventLoopLagHigh', 'HighRequestLatency', 'ProbeCertificateExpiringSoon', 'TargetDown', 'Watchdog']);
    expect([...minimal.files.keys()].filter((path) => path.includes('components/monitoring'))).toEqual([]);
    const full = await renderProject({ name: 'orders-api', deploy: 'kubernetes', database: 'postgres', cache: 'redis' });
    // With PostgreSQL on Kubernetes, backups (on by default) declare their own alerts too.
    expect(alertNames(full.files)).toEqual([
      'BackupCronJobAbsent',
      'BackupCronJobSuspended',
      'BackupJobFailed',
      'BackupSizeDropped',
      'BackupTooOld',
      'CertificateExpiringSoon',
      'ContainerOomKilled',
      'DatabasePoolSaturated',
      'ErrorBudgetBurnFast',
      'ErrorBudgetBurnSlow',
      'EventLoopLagHigh',
      'HighRequestLatency',
      'MemoryNearLimit',
      'PodCrashLooping',
      'PostgresConnectionsNearLimit',
      'PostgresDown',
      'ReadinessFailing',
      'RedisDown',
      'RedisEvictingKeys',
      'RedisMemoryNearLimit',
      'RestoreDrillTooOld',
      'TargetDown',
      'Watchdog',
    ]);
    for (const name of alertNames(full.files)) expect(full.files.has(`docs/runbooks/${name}.md`)).toBe(true);
    expect([...full.files.keys()].filter((path) => path.includes('components/monitoring')).sort()).toEqual([
      'deploy/kubernetes/components/monitoring/dashboard.yaml',
      'deploy/kubernetes/components/monitoring/kustomization.yaml',
      'deploy/kubernetes/components/monitoring/prometheusrule.yaml',
      'deploy/kubernetes/components/monitoring/servicemonitor.yaml',
    ]);
    for (const overlay of ['staging', 'production']) expect(full.files.get(`deploy/kubernetes/overlays/${overlay}/kustomization.yaml`)).toContain('- ../../components/monitoring');
    const dashboardMap = parse(full.files.get('deploy/kubernetes/components/monitoring/dashboard.yaml') as string) as { metadata: { labels: Record<string, string> } };
    expect(dashboardMap.metadata.labels).toEqual({ grafana_dashboard: '1' });
  });

  it('adds the monitoring profile to compose.production.yaml with pinned images and mounts of generated files', async () => {
    const { files } = await renderProject({ name: 'orders-api', deploy: 'compose' });
    const compose = parse(files.get('compose.production.yaml') as string) as { services: Record<string, { image: string; profiles?: string[]; volumes?: { type: string; source: string }[] }>; volumes: Record<string, unknown> };
    const monitoring = Object.entries(compose.services).filter(([, service]) => service.profiles?.includes('monitoring'));
    expect(monitoring.map(([name]) => name).sort()).toEqual(['alertmanager', 'blackbox', 'grafana', 'postgres-exporter', 'prometheus']);
    for (const [, service] of monitoring) expect(service.image).toMatch(/^[a-z0-9./_-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    const sources = monitoring.flatMap(([, service]) => (service.volumes ?? []).filter((volume) => volume.type === 'bind').map((volume) => volume.source.slice(2)));
    for (const source of sources.filter((path) => !path.startsWith('secrets/'))) expect([...files.keys()].some((path) => path === source || path.startsWith(`${source}/`)), source).toBe(true);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['alertmanager-data', 'grafana-data', 'prometheus-data']));
    expect(files.get('.gitignore')).toMatch(/^secrets\/$/m);
    const prometheus = parse(files.get('deploy/monitoring/prometheus/prometheus.yml') as string) as { scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[] };
    expect(prometheus.scrape_configs[0]).toEqual({ job_name: 'orders-api', metrics_path: '/metrics', static_configs: [{ targets: ['app:3000'] }] });
  });

  it('runs postgres_exporter and redis_exporter in the monitoring profile, hardened, unpublished, credentials from files, scraped by Prometheus', async () => {
    type Service = { image: string; user?: string; read_only?: boolean; cap_drop?: string[]; ports?: unknown; environment?: Record<string, string>; volumes?: { type: string; source: string; target: string; read_only?: boolean }[] };
    const both = await renderProject({ name: 'orders-api', deploy: 'compose', database: 'postgres', cache: 'redis' });
    const services = (parse(both.files.get('compose.production.yaml') as string) as { services: Record<string, Service> }).services;
    const postgres = services['postgres-exporter'];
    const redis = services['redis-exporter'];
    expect(postgres?.image).toBe('quay.io/prometheuscommunity/postgres-exporter:v0.19.1@sha256:e96064f876226d94bb6ce48a4c4b3dd76edba91168ec1ab024e5c4b959310b0f');
    expect(redis?.image).toBe('oliver006/redis_exporter:v1.84.0@sha256:7ef8e9c26638158fa4e7ad60df8c7e53d1919986753d6c1d2d1876b6ec38d87b');
    for (const service of [postgres, redis]) {
      expect(service).toMatchObject({ read_only: true, cap_drop: ['ALL'] });
      expect(service?.ports).toBeUndefined();
      expect(service?.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    }
    expect(postgres?.environment).toEqual({
      DATA_SOURCE_URI: '${POSTGRES_EXPORTER_DATA_SOURCE_URI:-postgres:5432/orders_api?sslmode=disable}',
      DATA_SOURCE_USER_FILE: '/etc/postgres-exporter/secrets/user',
      DATA_SOURCE_PASS_FILE: '/etc/postgres-exporter/secrets/password',
    });
    expect(postgres?.volumes).toEqual([{ type: 'bind', source: './secrets/postgres-exporter', target: '/etc/postgres-exporter/secrets', read_only: true }]);
    expect(redis?.environment).toEqual({ REDIS_ADDR: '${REDIS_URL:-redis://redis:6379}' });
    const scrape = (files: Map<string, string>) => (parse(files.get('deploy/monitoring/prometheus/prometheus.yml') as string) as { scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[] }).scrape_configs;
    expect(scrape(both.files).filter((job) => ['postgres', 'redis'].includes(job.job_name))).toEqual([
      { job_name: 'postgres', static_configs: [{ targets: ['postgres-exporter:9187'] }] },
      { job_name: 'redis', static_configs: [{ targets: ['redis-exporter:9121'] }] },
    ]);
    expect(both.files.get('docs/operations.md')).toContain("CREATE ROLE postgres_exporter LOGIN IN ROLE pg_monitor PASSWORD :'password';");

    const neither = await renderProject({ name: 'orders-api', deploy: 'compose', database: 'none', cache: 'none' });
    const names = Object.keys((parse(neither.files.get('compose.production.yaml') as string) as { services: Record<string, Service> }).services);
    expect(names.filter((name) => name.endsWith('-exporter'))).toEqual([]);
    expect(scrape(neither.files).map((job) => job.job_name)).toEqual(['orders-api', 'prometheus', 'blackbox-https']);
    expect(neither.files.get('docs/operations.md')).not.toContain('postgres_exporter');
  });

  it('derives the burn-rate thresholds from --slo', async () => {
    const { files } = await renderProject({ name: 'orders-api', slo: 99.5 });
    const slo = parse(files.get('deploy/monitoring/prometheus/rules/slo.yaml') as string) as { groups: { rules: { alert?: string; expr: string; labels?: Record<string, string> }[] }[] };
    const fast = slo.groups[0]?.rules.find((rule) => rule.alert === 'ErrorBudgetBurnFast');
    expect(fast?.expr).toBe(
      '(job:slo_errors_per_request:ratio_rate1h > 14.4 * 0.005 and job:slo_errors_per_request:ratio_rate5m > 14.4 * 0.005) or (job:slo_errors_per_request:ratio_rate6h > 6 * 0.005 and job:slo_errors_per_request:ratio_rate30m > 6 * 0.005)',
    );
    expect(fast?.labels).toEqual({ severity: 'critical', notify: 'page' });
    expect(files.get('docs/operations.md')).toContain('**Objective:** 99.5 % of requests');
    expect(files.get('docs/runbooks/ErrorBudgetBurnFast.md')).toMatch(/^## Meaning$[\s\S]*^## Impact$[\s\S]*^## Diagnosis$[\s\S]*^## Mitigation$/m);
  });

  it('leaves out a burn-rate window pair whose threshold exceeds an error ratio of 1', async () => {
    const { files } = await renderProject({ name: 'orders-api', slo: 92 });
    const slo = files.get('deploy/monitoring/prometheus/rules/slo.yaml') as string;
    expect(slo).toContain('expr: (job:slo_errors_per_request:ratio_rate6h > 6 * 0.08 and job:slo_errors_per_request:ratio_rate30m > 6 * 0.08)\n');
    expect(slo).not.toContain('14.4 * 0.08');
  });
});

describe('monitoring checks', () => {
  let root: string;
  beforeAll(async () => {
    process.env.PATH = `${join(toolsDir, 'bin')}:${process.env.PATH}`;
    root = writeProject(await renderProject({ name: 'orders-api', deploy: 'both', database: 'postgres', cache: 'redis' }), 'full');
  });

  it.skipIf(!installed('promtool'))('promtool passes the rendered rules and reports a failing test and an untested alert', async () => {
    expect(await promtool.tool(context)).toMatch(/^promtool \d+\.\d+\.\d+/);
    expect(await promtool.run(root, context)).toEqual([]);
    const wrong = variant(root, 'promtool-wrong', 'deploy/monitoring/prometheus/tests/RedisDown.yaml', (text) => text.replace("values: '0x10'", "values: '1x10'").replace('values: 0x10', 'values: 1x10'));
    const findings = await promtool.run(wrong, context);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.file).toBe('deploy/monitoring/prometheus/tests');
    expect(findings[0]?.message).toMatch(/^promtool test rules failed \(exit 1\):/);
    expect(findings[0]?.message).toContain('RedisDown: exporter cannot connect');
  });

  it('names alerts without a firing or a silent case', () => {
    const rules = [{ groups: [{ rules: [{ alert: 'A', expr: 'up == 0' }, { alert: 'Watchdog', expr: 'vector(1)' }, { record: 'r', expr: 'up' }] }] }];
    const tests = [{ tests: [{ alert_rule_test: [{ alertname: 'A', exp_alerts: [{}] }, { alertname: 'Watchdog', exp_alerts: [{}] }] }] }];
    expect(untestedAlerts(rules, tests)).toEqual(['alert A has no promtool case in which it stays silent']);
    expect(untestedAlerts(rules, [])).toEqual(['alert A has no promtool case in which it fires', 'alert A has no promtool case in which it stays silent', 'alert Watchdog has no promtool case in which it fires']);
  });

  it.skipIf(!installed('amtool'))('amtool passes the configuration and reports a route that reaches another receiver', async () => {
    expect(await amtool.tool(context)).toBe('amtool 0.25.0');
    expect(await amtool.run(root, context)).toEqual([]);
    const wrong = variant(root, 'amtool-wrong', 'deploy/monitoring/alertmanager/route-tests.yaml', (text) => {
      const tests = parse(text) as { tests: { receivers: string[] }[] };
      (tests.tests[1] as { receivers: string[] }).receivers = ['ticket'];
      return stringify(tests);
    });
    expect(await amtool.run(wrong, context)).toEqual([
      { file: 'deploy/monitoring/alertmanager/route-tests.yaml', message: 'alertname=ErrorBudgetBurnFast severity=critical job=orders-api reaches page, expected ticket' },
    ]);
    const broken = variant(root, 'amtool-broken', 'deploy/monitoring/alertmanager/alertmanager.yml', (text) => text.replace('repeat_interval: 4h', 'repeat_interval: soon'));
    const findings = await amtool.run(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(/^amtool check-config failed \(exit 1\): .*not a valid duration string: "soon"/);
  });

  it('alerts-consistency passes the rendered alerts and names each broken promise', async () => {
    expect(await alertsConsistency.run(root, context)).toEqual([]);
    const rules = variant(root, 'alerts-wrong', 'deploy/monitoring/prometheus/rules/redis.yaml', (text) =>
      text
        .replace('expr: redis_up == 0', 'expr: redis_is_up == 0')
        .replace('severity: warning', 'severity: page')
        .replace(/^ +for: 10m\n/m, ''),
    );
    rmSync(join(rules, 'docs/runbooks/RedisDown.md'));
    writeFileSync(join(rules, 'docs/runbooks/RedisEvictingKeys.md'), '# RedisEvictingKeys\n\n## Meaning\n\nx\n');
    expect(await alertsConsistency.run(rules, context)).toEqual([
      { file: 'deploy/monitoring/prometheus/rules/redis.yaml', message: 'RedisDown: metric redis_is_up is neither registered in src/, pushed by a script in scripts/, a recording rule, nor documented by a standard exporter' },
      { file: 'deploy/monitoring/prometheus/rules/redis.yaml', message: 'RedisDown: label severity is page, not critical, warning or info' },
      { file: 'docs/runbooks/RedisDown.md', message: 'RedisDown: runbook file is missing' },
      { file: 'deploy/monitoring/prometheus/rules/redis.yaml', message: 'RedisEvictingKeys: no for: (only SLO alerts over recording rules may fire at once)' },
      { file: 'docs/runbooks/RedisEvictingKeys.md', message: 'RedisEvictingKeys: runbook has no "## Impact" section' },
      { file: 'docs/runbooks/RedisEvictingKeys.md', message: 'RedisEvictingKeys: runbook has no "## Diagnosis" section' },
      { file: 'docs/runbooks/RedisEvictingKeys.md', message: 'RedisEvictingKeys: runbook has no "## Mitigation" section' },
    ]);
  });

  it('reads metric names with the PromQL grammar', () => {
    expect(parseExpression('sum by (job) (rate(http_requests_total{job="a"}[5m])) / on (job) max(up offset 5m) > 0.5 and absent(pg_up)')).toEqual({ metrics: ['http_requests_total', 'pg_up', 'up'], errors: [] });
    expect(parseExpression('rate(http_requests_total[5m]').errors.length).toBeGreaterThan(0);
  });

  it.skipIf(!installed('promtool'))('grafana-dashboard passes the rendered dashboard and names unknown keys, missing units, fixed ranges and type errors', async () => {
    expect(await grafanaDashboard.tool(context)).toMatch(/^@grafana\/schema 13\.2\.3, promtool \d+\.\d+\.\d+/);
    expect(await grafanaDashboard.run(root, context)).toEqual([]);
    const file = 'deploy/monitoring/grafana/dashboards/orders-api.json';
    const wrong = variant(root, 'dashboard-wrong', file, (text) => {
      const board = JSON.parse(text) as { panels: Record<string, unknown>[]; graphTooltip: unknown; colour?: string };
      board.colour = 'blue';
      board.graphTooltip = 'shared';
      const rate = board.panels.find((panel) => panel.title === 'Rate by route') as { fieldConfig: { defaults: Record<string, unknown> }; targets: { expr: string }[] };
      delete rate.fieldConfig.defaults.unit;
      (rate.targets[0] as { expr: string }).expr = 'sum by (route) (rate(http_requests_total{job="orders-api"}[1m]))';
      return `${JSON.stringify(board, null, 2)}\n`;
    });
    const findings = await grafanaDashboard.run(wrong, context);
    expect(findings.filter((finding) => !finding.message.startsWith('@grafana/schema'))).toEqual([
      { file, message: 'unknown dashboard key "colour"' },
      { file, message: 'panel "Rate by route": no unit (fieldConfig.defaults.unit)' },
      { file, message: 'panel "Rate by route" query A: range [1m] instead of [$__rate_interval]' },
    ]);
    expect(findings.filter((finding) => finding.message.startsWith('@grafana/schema')).map((finding) => finding.message)).toEqual([expect.stringMatching(/^@grafana\/schema Dashboard type: line \d+: error TS2322: Type 'string' is not assignable to type 'DashboardCursorSync/)]);
  });
});
