/**
 * The backup feature as a user sees it: which files each option writes, the
 * CronJobs kustomize renders, the Compose service and timers, the alerts as a
 * Prometheus rule file that promtool checks and unit-tests, and the backup
 * checks' verdicts on passing and failing samples.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { renderProject, type RenderedProject } from '../generators/app/render.ts';
import type { AlertDeclaration } from '../generators/core/slots.ts';
import { backupAlerts } from '../generators/backup/alerts.ts';
import { defaultToolsDir } from '../matrix/cache.ts';
import backupDrill from '../matrix/checks/backup-drill.ts';
import shellcheck from '../matrix/checks/shellcheck.ts';

const scratch = mkdtempSync(join(tmpdir(), 'backup-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const toolsDir = defaultToolsDir();
/** A tool from the tools directory, else from PATH (as the checks find them). */
const tool = (name: string) => (existsSync(join(toolsDir, 'bin', name)) ? join(toolsDir, 'bin', name) : name);

function writeProject(project: RenderedProject, name: string): string {
  const root = join(scratch, name);
  for (const [path, content] of project.files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const backupPaths = (project: RenderedProject) =>
  [...project.files.keys()].filter((path) => /backup|restore|disaster-recovery|point-in-time/.test(path) && !path.startsWith('src/')).sort();

const render = (answers: Record<string, unknown>) => renderProject({ name: 'orders-api', yes: true, ...answers });

describe('files per option', () => {
  it('writes nothing without --backup, and --backup is not available without PostgreSQL', async () => {
    expect(backupPaths(await render({ database: 'postgres', backup: false, deploy: 'both' }))).toEqual([]);
    const withoutDatabase = await render({ database: 'none', deploy: 'both' });
    expect(withoutDatabase.answers.backup).toBe(false);
    expect(backupPaths(withoutDatabase)).toEqual([]);
  });

  it('on Kubernetes: scripts, the image, the component with its script copies, the guide and the ADR', async () => {
    const project = await render({ database: 'postgres', deploy: 'kubernetes' });
    expect(project.answers.backup).toBe(true);
    expect(backupPaths(project)).toEqual([
      'deploy/backup/Dockerfile',
      'deploy/kubernetes/components/backup/backup.env',
      'deploy/kubernetes/components/backup/cronjob-backup.yaml',
      'deploy/kubernetes/components/backup/cronjob-restore-drill.yaml',
      'deploy/kubernetes/components/backup/kustomization.yaml',
      'deploy/kubernetes/components/backup/networkpolicy.yaml',
      'deploy/kubernetes/components/backup/scripts/backup-retention.sh',
      'deploy/kubernetes/components/backup/scripts/backup.sh',
      'deploy/kubernetes/components/backup/scripts/lib/backup-common.sh',
      'deploy/kubernetes/components/backup/scripts/restore-drill.sh',
      'deploy/kubernetes/components/backup/scripts/restore.sh',
      // Rendered by the observability feature from the backup feature's alerts.
      'deploy/monitoring/prometheus/rules/backup.yaml',
      // Numbered after the other features' decisions.
      expect.stringMatching(/^docs\/adr\/\d{4}-logical-backups-before-point-in-time-recovery\.md$/),
      'docs/disaster-recovery.md',
      'scripts/backup-retention.sh',
      'scripts/backup.sh',
      'scripts/lib/backup-common.sh',
      'scripts/restore-drill.sh',
      'scripts/restore.sh',
    ]);
    for (const script of ['backup.sh', 'backup-retention.sh', 'restore.sh', 'restore-drill.sh', 'lib/backup-common.sh']) {
      expect(project.files.get(`deploy/kubernetes/components/backup/scripts/${script}`)).toBe(project.files.get(`scripts/${script}`));
    }
    expect(project.files.get('compose.production.yaml')).toBeUndefined();
  });

  it('on Compose: the backup service in compose.production.yaml and systemd timers, no Kubernetes component', async () => {
    const project = await render({ database: 'postgres', deploy: 'compose' });
    const paths = backupPaths(project);
    expect(paths).toContain('deploy/backup/systemd/orders-api-backup.timer');
    expect(project.files.get('deploy/backup/backup.env')).toContain('\nBACKUP_PUSHGATEWAY_URL=http://pushgateway:9091\n');
    expect(project.files.get('.gitignore')).toContain('backup-age-identity.txt');
    expect(paths).toContain('deploy/backup/systemd/orders-api-restore-drill.service');
    expect(paths.some((path) => path.startsWith('deploy/kubernetes/'))).toBe(false);
    const compose = parse(project.files.get('compose.production.yaml') as string) as { services: Record<string, Record<string, unknown>> };
    expect(compose.services.backup).toMatchObject({
      profiles: ['backup'],
      read_only: true,
      cap_drop: ['ALL'],
      env_file: [
        { path: 'deploy/backup/backup.env', required: true },
        { path: '.env.backup', required: true },
      ],
      command: ['/opt/backup/scripts/backup.sh'],
      volumes: [{ type: 'bind', source: './scripts', target: '/opt/backup/scripts', read_only: true }],
    });
    expect(project.files.get('deploy/backup/systemd/orders-api-backup.timer')).toContain('OnCalendar=*-*-* 02:30:00 UTC');
    expect(project.files.get('deploy/backup/systemd/orders-api-backup.service')).toContain(
      'ExecStart=/usr/bin/docker compose --env-file .env.production -f compose.production.yaml --profile backup run --rm backup',
    );
  });

  it('every script answers --help with its usage and exit 0', async () => {
    const root = writeProject(await render({ database: 'postgres', deploy: 'kubernetes' }), 'help');
    for (const script of ['backup.sh', 'restore.sh', 'restore-drill.sh', 'backup-retention.sh']) {
      const result = await execa('bash', [`scripts/${script}`, '--help'], { cwd: root, reject: false });
      expect(result.exitCode, script).toBe(0);
      expect(result.stdout, script).toMatch(/BACKUP_|Usage:/);
    }
    for (const script of ['backup.sh', 'restore-drill.sh']) {
      const unknown = await execa('bash', [`scripts/${script}`, '--nope'], { cwd: root, reject: false });
      expect(unknown.exitCode, script).toBe(1);
      expect(unknown.stderr, script).toContain('ERROR: unknown argument: --nope');
      expect(unknown.stderr, script).toContain('Usage:');
    }
  });
});

describe('Kubernetes component', () => {
  it('renders two CronJobs with Forbid, UTC, bounded history, deadlines and the restricted pod of the Deployment', async () => {
    const root = writeProject(await render({ database: 'postgres', deploy: 'kubernetes' }), 'kubernetes');
    const { stdout } = await execa('kubectl', ['kustomize', 'deploy/kubernetes/overlays/production'], { cwd: root });
    const objects = parseAllDocuments(stdout).map((document) => document.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, any> });
    const deployment = objects.find((object) => object.kind === 'Deployment') as { spec: Record<string, any> };
    const cronJobs = objects.filter((object) => object.kind === 'CronJob');
    expect(cronJobs.map((cronJob) => [cronJob.metadata.name, cronJob.spec.schedule])).toEqual([
      ['orders-api-backup', '30 2 * * *'],
      ['orders-api-restore-drill', '0 5 * * 0'],
    ]);
    const podSpec = deployment.spec.template.spec;
    for (const cronJob of cronJobs) {
      expect(cronJob.spec).toMatchObject({ concurrencyPolicy: 'Forbid', timeZone: 'Etc/UTC', startingDeadlineSeconds: 3600, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
      const job = cronJob.spec.jobTemplate.spec;
      expect(job.backoffLimit).toBe(1);
      expect(job.activeDeadlineSeconds).toBeLessThan(24 * 3600);
      const pod = job.template.spec;
      expect(pod.securityContext).toEqual(podSpec.securityContext);
      expect(pod.containers[0].securityContext).toEqual(podSpec.containers[0].securityContext);
      expect(pod.containers[0].image).toBe('ghcr.io/my-org/orders-api-backup:0.1.0');
      expect(pod.containers[0].resources.limits['ephemeral-storage']).toBeDefined();
      expect(pod.volumes.find((volume: { name: string }) => volume.name === 'tmp').emptyDir.sizeLimit).toBe('128Mi');
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'scripts', mountPath: '/opt/backup/scripts', readOnly: true });
      for (const variable of pod.containers[0].env.filter((entry: { valueFrom?: unknown }) => entry.valueFrom)) {
        expect(variable.valueFrom.secretKeyRef.name).toBe('orders-api-backup');
      }
    }
    // The private key reaches the drill only.
    const mounts = (name: string) => cronJobs.find((cronJob) => cronJob.metadata.name === name)?.spec.jobTemplate.spec.template.spec.volumes.map((volume: { name: string }) => volume.name);
    expect(mounts('orders-api-backup')).not.toContain('age-identity');
    expect(mounts('orders-api-restore-drill')).toContain('age-identity');
    const policy = objects.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === 'orders-api-backup') as { spec: Record<string, any> };
    // Only the backup pods get the object store and the Pushgateway, on the ports their settings name.
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'orders-api', 'app.kubernetes.io/component': 'backup' });
    const settings = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('orders-api-backup-config')) as unknown as { data: Record<string, string> };
    const pushgatewayPort = Number(new URL(settings.data.BACKUP_PUSHGATEWAY_URL as string).port);
    expect(policy.spec.egress.flatMap((rule: { ports: { port: number }[] }) => rule.ports.map((port) => port.port)).sort()).toEqual([443, pushgatewayPort].sort());
    // No backup variable enters the app's ConfigMap.
    const appConfig = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('orders-api-config')) as unknown as { data: Record<string, string> };
    expect(Object.keys(appConfig.data).filter((name) => name.startsWith('BACKUP_'))).toEqual([]);
  });
});

/**
 * The alerts as a Prometheus rule file (with annotations, for `promtool check
 * rules`, which parses their templates), the same rules without annotations
 * (promtool compares annotations exactly, and descriptions print the
 * evaluated value), and a promtool unit-test file (Prometheus "Unit testing
 * for rules").
 */
function ruleFiles(alerts: readonly AlertDeclaration[]): { rules: string; labelsOnly: string; tests: string } {
  const rulesOf = (annotated: boolean) => ({
    groups: [
      {
        name: 'backup',
        rules: alerts.map((alert) => ({
          alert: alert.name,
          expr: alert.expr,
          ...(alert.for ? { for: alert.for } : {}),
          labels: { severity: alert.severity, ...alert.labels },
          ...(annotated ? { annotations: { summary: alert.summary, description: alert.description } } : {}),
        })),
      },
    ],
  });
  const tests = {
    rule_files: ['labels-only.yaml'],
    evaluation_interval: '1m',
    tests: alerts.flatMap((alert) => [
      ...alert.firing.map((testCase) => ({
        name: `${alert.name} fires: ${testCase.name}`,
        interval: testCase.interval ?? '1m',
        input_series: testCase.inputSeries.map((series) => ({ series: series.series, values: series.values })),
        alert_rule_test: [
          {
            eval_time: testCase.evalTime,
            alertname: alert.name,
            exp_alerts: [{ exp_labels: { severity: alert.severity, ...alert.labels, ...testCase.expectedLabels } }],
          },
        ],
      })),
      ...alert.notFiring.map((testCase) => ({
        name: `${alert.name} stays quiet: ${testCase.name}`,
        interval: testCase.interval ?? '1m',
        input_series: testCase.inputSeries.map((series) => ({ series: series.series, values: series.values })),
        alert_rule_test: [{ eval_time: testCase.evalTime, alertname: alert.name, exp_alerts: [] }],
      })),
    ]),
  };
  return { rules: stringify(rulesOf(true)), labelsOnly: stringify(rulesOf(false)), tests: stringify(tests) };
}

async function promtool(alerts: readonly AlertDeclaration[], name: string) {
  const directory = join(scratch, name);
  mkdirSync(directory, { recursive: true });
  const { rules, labelsOnly, tests } = ruleFiles(alerts);
  writeFileSync(join(directory, 'rules.yaml'), rules);
  writeFileSync(join(directory, 'labels-only.yaml'), labelsOnly);
  writeFileSync(join(directory, 'tests.yaml'), tests);
  const check = await execa(tool('promtool'), ['check', 'rules', 'rules.yaml'], { cwd: directory, reject: false });
  const test = await execa(tool('promtool'), ['test', 'rules', 'tests.yaml'], { cwd: directory, reject: false });
  return { check, test };
}

describe('alerts', () => {
  for (const deploy of ['kubernetes', 'compose'] as const) {
    it(`pass promtool check rules and every firing and quiet case with --deploy ${deploy}`, async () => {
      const project = await render({ database: 'postgres', deploy });
      const alerts = backupAlerts(project.facts);
      const names = alerts.map((alert) => alert.name);
      expect(names).toEqual(expect.arrayContaining(['BackupTooOld', 'RestoreDrillTooOld', 'BackupSizeDropped']));
      if (deploy === 'kubernetes') expect(names).toEqual(expect.arrayContaining(['BackupJobFailed', 'BackupCronJobSuspended', 'BackupCronJobAbsent']));
      expect(alerts.every((alert) => alert.firing.length > 0 && alert.notFiring.length > 0 && alert.runbook.mitigation.length > 0)).toBe(true);
      const { check, test } = await promtool(alerts, `alerts-${deploy}`);
      expect(check.exitCode, check.stderr + check.stdout).toBe(0);
      expect(check.stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
      expect(test.exitCode, test.stderr + test.stdout).toBe(0);
      expect(test.stdout).toContain('SUCCESS');
    });
  }

  it('a threshold that contradicts its cases fails promtool test rules', async () => {
    const project = await render({ database: 'postgres', deploy: 'kubernetes' });
    const broken = backupAlerts(project.facts).map((alert) => (alert.name === 'BackupTooOld' ? { ...alert, expr: alert.expr.replace(/> \d+$/, '> 300000') } : alert));
    const { test } = await promtool(broken, 'alerts-broken');
    expect(test.exitCode).toBe(1);
    expect(test.stdout + test.stderr).toMatch(/BackupTooOld/);
  });
});

describe('checks', () => {
  const context = (files: string[]) => ({ toolsDir, log: () => {}, files });

  it('shellcheck passes the generated scripts and finds lint and formatting faults', async () => {
    const root = writeProject(await render({ database: 'postgres', deploy: 'kubernetes' }), 'shellcheck');
    const scripts = ['scripts/backup.sh', 'scripts/backup-retention.sh', 'scripts/restore.sh', 'scripts/restore-drill.sh', 'scripts/lib/backup-common.sh'];
    expect(await shellcheck.run(root, context(scripts))).toEqual([]);
    const broken = join(scratch, 'shellcheck-broken');
    mkdirSync(join(broken, 'scripts'), { recursive: true });
    writeFileSync(join(broken, 'scripts/bad.sh'), '#!/usr/bin/env bash\nset -euo pipefail\nfor f in $(ls); do\n    echo $f\ndone\n');
    const findings = await shellcheck.run(broken, context(['scripts/bad.sh']));
    expect(findings.map((finding) => finding.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('SC2045'), expect.stringContaining('SC2086'), expect.stringContaining('not shfmt-formatted')]),
    );
  });

  it('backup-drill passes the generated scripts and fails scripts that skip the checksum', { timeout: 180_000 }, async () => {
    const root = writeProject(await render({ database: 'postgres', deploy: 'kubernetes' }), 'drill');
    expect(await backupDrill.run(root, context([]))).toEqual([]);
    const restore = join(root, 'scripts/restore.sh');
    writeFileSync(restore, readFileSync(restore, 'utf8').replace('if [ "$actual" != "$expected" ]; then die', 'if false; then die'));
    const findings = await backupDrill.run(root, context([]));
    expect(findings.map((finding) => finding.message)).toContainEqual(expect.stringMatching(/^corrupted: no clear message \(expected \/checksum mismatch\/\)/));
  });
});
