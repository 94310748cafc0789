/**
 * The backup alerts, declared with their promtool cases and runbooks. On
 * Kubernetes the schedule's health comes from kube-state-metrics (the CronJob
 * and Job series); on Compose from the metrics the scripts push
 * (backup_last_success_timestamp_seconds, backup_restore_drill_...).
 * The size alert reads the pushed backup_size_bytes on both.
 *
 * Thresholds: a daily backup is late after 26 h (one missed run plus two
 * hours of slack), the weekly drill after 8 days (RUBRIC §4).
 */
import type { Facts } from '../core/facts.ts';
import type { AlertCase, AlertDeclaration, Runbook } from '../core/slots.ts';
import { BACKUP_CRONJOB, DRILL_CRONJOB } from './names.ts';

const HOUR = 3600;
export const BACKUP_MAX_AGE_SECONDS = 26 * HOUR;
export const DRILL_MAX_AGE_SECONDS = 8 * 24 * HOUR;

/**
 * A case sampled every minute: Prometheus treats a series as gone 5 minutes
 * after its last sample, so sparser samples would reset every `for:`.
 */
const minutely = (name: string, series: string, values: string, evalTime: string, expectedLabels?: Record<string, string>): AlertCase => ({
  name,
  interval: '1m',
  inputSeries: [{ series, values }],
  evalTime,
  ...(expectedLabels ? { expectedLabels } : {}),
});

/**
 * The evaluation intervals of cases that span a day or more: promtool
 * evaluates every rule of the file at each step, so 217 h at 1 m is 13,000
 * steps (most of a minute per test run). The backup alerts' `for:` is 15 m or
 * longer and the drill alerts' 1 h or longer, so these steps still prove the
 * pending-then-firing path.
 */
const DAYS_LONG_CASES = '10m';
const WEEK_LONG_CASES = '30m';

const runbookFor = (what: string, diagnosis: string): Runbook => ({
  meaning: what,
  impact: 'Until a new backup succeeds, a disaster loses every change since the last good backup: the recovery point grows by the hour (docs/disaster-recovery.md states the objective).',
  diagnosis,
  mitigation:
    'Fix the cause, then run a backup now (docs/disaster-recovery.md, "When a backup is missing") and confirm the alert resolves. Do not delete older backups while the newest is missing.',
});

/** Alerts of the Kubernetes CronJobs (kube-state-metrics series). */
function kubernetesAlerts(facts: Facts): AlertDeclaration[] {
  const backup = BACKUP_CRONJOB(facts);
  const drill = DRILL_CRONJOB(facts);
  const last = (cronjob: string) =>
    `max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{cronjob="${cronjob}"} or kube_cronjob_created{cronjob="${cronjob}"})`;
  const diagnosis = `\`kubectl get cronjob,jobs,pods -l app.kubernetes.io/component=backup\`, then \`kubectl logs job/<job>\` of the newest Job: each failure ends with an \`ERROR:\` line naming its cause (database unreachable, storage refused, dump invalid).`;
  return [
    {
      name: 'BackupTooOld',
      group: 'backup',
      expr: `time() - ${last(backup)} > ${BACKUP_MAX_AGE_SECONDS}`,
      for: '15m',
      testEvaluationInterval: DAYS_LONG_CASES,
      severity: 'critical',
      summary: 'No successful database backup for more than 26 hours.',
      description: 'The last successful run of CronJob {{ $labels.namespace }}/{{ $labels.cronjob }} (or its creation, if it never succeeded) was more than 26 hours ago.',
      firing: [
        {
          name: 'the last success was 27 hours ago',
          interval: '1m',
          inputSeries: [{ series: `kube_cronjob_status_last_successful_time{namespace="${facts.namespace}", cronjob="${backup}"}`, values: '0x1700' }],
          evalTime: '27h',
          expectedLabels: { namespace: facts.namespace, cronjob: backup },
        },
      ],
      notFiring: [
        minutely('a backup succeeded 3 hours ago', `kube_cronjob_status_last_successful_time{namespace="${facts.namespace}", cronjob="${backup}"}`, '0x1440 86400x300', '27h'),
        minutely('created 2 hours ago and not yet run', `kube_cronjob_created{namespace="${facts.namespace}", cronjob="${backup}"}`, '90000x1700', '27h'),
      ],
      runbook: runbookFor('The backup CronJob has not completed a backup for more than 26 hours: the daily run failed, was not scheduled, or never succeeded since the CronJob was created.', diagnosis),
    },
    {
      name: 'BackupCronJobAbsent',
      group: 'backup',
      expr: `absent(kube_cronjob_created{cronjob="${backup}"}) or absent(kube_cronjob_created{cronjob="${drill}"})`,
      for: '1h',
      severity: 'critical',
      summary: 'A backup CronJob is not seen by Prometheus.',
      description: 'No kube_cronjob_created series for CronJob {{ $labels.cronjob }}: it is not deployed, or kube-state-metrics is not scraped, so the other backup alerts cannot fire.',
      firing: [
        minutely('the backup CronJob is missing', `kube_cronjob_created{namespace="${facts.namespace}", cronjob="${drill}"}`, '0x90', '70m', { cronjob: backup }),
        minutely('the drill CronJob is missing', `kube_cronjob_created{namespace="${facts.namespace}", cronjob="${backup}"}`, '0x90', '70m', { cronjob: drill }),
      ],
      notFiring: [
        {
          name: 'both CronJobs exist',
          interval: '1m',
          inputSeries: [
            { series: `kube_cronjob_created{namespace="${facts.namespace}", cronjob="${backup}"}`, values: '0x150' },
            { series: `kube_cronjob_created{namespace="${facts.namespace}", cronjob="${drill}"}`, values: '0x150' },
          ],
          evalTime: '2h',
        },
      ],
      runbook: {
        meaning: 'Prometheus has no series for the backup or the restore-drill CronJob: either the backup component is not deployed in this environment, or kube-state-metrics is down or not scraped.',
        impact: 'Backups may not run, and if they fail no other backup alert can tell.',
        diagnosis: `\`kubectl get cronjob ${backup} ${drill}\` in the namespace; then the kube-state-metrics target in Prometheus (Status → Targets).`,
        mitigation: 'Deploy the overlay (it lists the backup component) or restore kube-state-metrics scraping; the alert resolves within minutes.',
      },
    },
    {
      name: 'RestoreDrillTooOld',
      group: 'backup',
      expr: `time() - ${last(drill)} > ${DRILL_MAX_AGE_SECONDS}`,
      for: '1h',
      testEvaluationInterval: WEEK_LONG_CASES,
      severity: 'warning',
      summary: 'No successful restore drill for more than 8 days.',
      description: 'The last successful restore drill of {{ $labels.namespace }}/{{ $labels.cronjob }} was more than 8 days ago: the backups are not proven restorable.',
      firing: [
        {
          name: 'the last drill was 9 days ago',
          interval: '1m',
          inputSeries: [{ series: `kube_cronjob_status_last_successful_time{namespace="${facts.namespace}", cronjob="${drill}"}`, values: '0x13100' }],
          evalTime: '217h',
          expectedLabels: { namespace: facts.namespace, cronjob: drill },
        },
      ],
      notFiring: [minutely('a drill succeeded 2 days ago', `kube_cronjob_status_last_successful_time{namespace="${facts.namespace}", cronjob="${drill}"}`, '0x10080 604800x3000', '217h')],
      runbook: {
        meaning: 'The weekly restore drill has not succeeded for more than 8 days.',
        impact: 'Nobody knows whether the backups can be restored, nor how long a restore takes (the recovery time objective is unmeasured).',
        diagnosis: `\`kubectl logs job/<newest ${drill} job>\`: a drill fails on the restore itself (key, checksum, database error) or on a verification line starting with \`FAIL:\`.`,
        mitigation: `Fix the cause and run the drill now: \`kubectl create job --from=cronjob/${drill} ${drill}-manual\`. A verification failure means the newest backup is not trustworthy: treat it as a missing backup.`,
      },
    },
    {
      name: 'BackupJobFailed',
      group: 'backup',
      expr: `max by (namespace, job_name) (kube_job_status_failed{job_name=~"(${backup}|${drill})-[0-9]+"}) > 0`,
      for: '5m',
      severity: 'warning',
      summary: 'A backup or restore-drill Job failed.',
      description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed after its retries.',
      firing: [minutely('a backup Job failed', `kube_job_status_failed{namespace="${facts.namespace}", job_name="${backup}-29000000"}`, '0 1x150', '2h', { namespace: facts.namespace, job_name: `${backup}-29000000` })],
      notFiring: [minutely('the Job succeeded', `kube_job_status_failed{namespace="${facts.namespace}", job_name="${backup}-29000000"}`, '0x150', '2h')],
      runbook: {
        meaning: 'A run of the backup or restore-drill CronJob failed after its retries (backoffLimit).',
        impact: 'One recovery point is missing (backup) or the restorability of the newest backup is unproven (drill).',
        diagnosis,
        mitigation: 'Fix the cause, run the CronJob once by hand (`kubectl create job --from=cronjob/<name> <name>-manual`), then delete the failed Job so the alert resolves: `kubectl delete job <job>`.',
      },
    },
    {
      name: 'BackupCronJobSuspended',
      group: 'backup',
      expr: `max by (namespace, cronjob) (kube_cronjob_spec_suspend{cronjob=~"${backup}|${drill}"}) == 1`,
      for: '1h',
      severity: 'warning',
      summary: 'A backup CronJob is suspended.',
      description: 'CronJob {{ $labels.namespace }}/{{ $labels.cronjob }} has been suspended for more than an hour: nothing is scheduled.',
      firing: [minutely('suspended for two hours', `kube_cronjob_spec_suspend{namespace="${facts.namespace}", cronjob="${backup}"}`, '1x150', '2h', { namespace: facts.namespace, cronjob: backup })],
      notFiring: [minutely('active', `kube_cronjob_spec_suspend{namespace="${facts.namespace}", cronjob="${backup}"}`, '0x150', '2h')],
      runbook: {
        meaning: 'Someone suspended the backup or drill CronJob (spec.suspend: true), usually for maintenance, and did not resume it.',
        impact: 'No backups (or drills) run while it stays suspended.',
        diagnosis: '`kubectl get cronjob -o custom-columns=NAME:.metadata.name,SUSPEND:.spec.suspend`; the change history of the overlay.',
        mitigation: "Resume it: `kubectl patch cronjob <name> -p '{\"spec\":{\"suspend\":false}}'`, then run a backup by hand if the daily run was missed.",
      },
    },
  ];
}

/** Alerts of the Compose schedule, from the metrics the scripts push. */
function pushedAlerts(facts: Facts): AlertDeclaration[] {
  const source = `source="${facts.name}"`;
  return [
    {
      name: 'BackupTooOld',
      group: 'backup',
      expr: `time() - max by (source) (backup_last_success_timestamp_seconds{${source}}) > ${BACKUP_MAX_AGE_SECONDS}`,
      for: '15m',
      testEvaluationInterval: DAYS_LONG_CASES,
      severity: 'critical',
      summary: 'No successful database backup for more than 26 hours.',
      description: 'The last successful backup of {{ $labels.source }} finished more than 26 hours ago.',
      firing: [minutely('the last success was 27 hours ago', `backup_last_success_timestamp_seconds{job="backup", ${source}}`, '0x1700', '27h', { source: facts.name })],
      notFiring: [minutely('a backup succeeded 3 hours ago', `backup_last_success_timestamp_seconds{job="backup", ${source}}`, '0x1440 86400x300', '27h')],
      runbook: runbookFor(
        'The backup timer has not completed a backup for more than 26 hours: the nightly run failed or did not start.',
        '`systemctl status ' + `${facts.name}-backup.timer ${facts.name}-backup.service` + '` and `journalctl -u ' + `${facts.name}-backup.service` + '`: each failure ends with an `ERROR:` line naming its cause.',
      ),
    },
    {
      name: 'BackupMetricsAbsent',
      group: 'backup',
      expr: `absent(backup_last_success_timestamp_seconds{${source}})`,
      for: '26h',
      testEvaluationInterval: DAYS_LONG_CASES,
      severity: 'critical',
      summary: 'No backup has ever reported success.',
      description: 'Prometheus has no backup_last_success_timestamp_seconds for {{ $labels.source }}: no backup succeeded since the Pushgateway started, or it is not scraped.',
      firing: [minutely('never reported', `backup_last_success_timestamp_seconds{source="other"}`, '0x1700', '27h', { source: facts.name })],
      notFiring: [minutely('reported', `backup_last_success_timestamp_seconds{job="backup", ${source}}`, '0x1700', '27h')],
      runbook: {
        meaning: 'The backup success metric is missing: backups never succeeded, the scripts cannot reach the Pushgateway (BACKUP_PUSHGATEWAY_URL), or Prometheus does not scrape it.',
        impact: 'Backups may be missing, and the age alert cannot tell.',
        diagnosis: 'Run a backup by hand and read its last lines (a failed push is logged as a WARNING); check the Pushgateway target in Prometheus.',
        mitigation: 'Fix the failing part; the alert resolves once the metric is scraped.',
      },
    },
    {
      name: 'RestoreDrillMetricsAbsent',
      group: 'backup',
      expr: `absent(backup_restore_drill_last_success_timestamp_seconds{${source}})`,
      for: '8d',
      testEvaluationInterval: WEEK_LONG_CASES,
      severity: 'warning',
      summary: 'No restore drill has ever reported success.',
      description: 'Prometheus has had no backup_restore_drill_last_success_timestamp_seconds for {{ $labels.source }} for 8 days: no drill succeeded, or its metrics do not arrive.',
      firing: [minutely('never reported', 'backup_restore_drill_last_success_timestamp_seconds{source="other"}', '0x11600', '193h', { source: facts.name })],
      notFiring: [minutely('reported', `backup_restore_drill_last_success_timestamp_seconds{job="backup_restore_drill", ${source}}`, '0x11600', '193h')],
      runbook: {
        meaning: 'The restore-drill success metric is missing: drills never succeeded, cannot reach the Pushgateway, or Prometheus does not scrape it.',
        impact: 'Nobody knows whether the backups can be restored.',
        diagnosis: '`systemctl status ' + `${facts.name}-restore-drill.timer` + '` and `journalctl -u ' + `${facts.name}-restore-drill.service` + '`.',
        mitigation: '`systemctl start ' + `${facts.name}-restore-drill.service` + '` after fixing the cause; the alert resolves once the metric is scraped.',
      },
    },
    {
      name: 'RestoreDrillTooOld',
      group: 'backup',
      expr: `time() - max by (source) (backup_restore_drill_last_success_timestamp_seconds{${source}}) > ${DRILL_MAX_AGE_SECONDS}`,
      for: '1h',
      testEvaluationInterval: WEEK_LONG_CASES,
      severity: 'warning',
      summary: 'No successful restore drill for more than 8 days.',
      description: 'The last successful restore drill of {{ $labels.source }} was more than 8 days ago: the backups are not proven restorable.',
      firing: [minutely('the last drill was 9 days ago', `backup_restore_drill_last_success_timestamp_seconds{job="backup_restore_drill", ${source}}`, '0x13100', '217h', { source: facts.name })],
      notFiring: [minutely('a drill succeeded 2 days ago', `backup_restore_drill_last_success_timestamp_seconds{job="backup_restore_drill", ${source}}`, '0x10080 604800x3000', '217h')],
      runbook: {
        meaning: 'The weekly restore drill has not succeeded for more than 8 days.',
        impact: 'Nobody knows whether the backups can be restored, nor how long a restore takes.',
        diagnosis: '`journalctl -u ' + `${facts.name}-restore-drill.service` + '`: a drill fails on the restore itself or on a line starting with `FAIL:`.',
        mitigation: '`systemctl start ' + `${facts.name}-restore-drill.service` + '` after fixing the cause. A verification failure means the newest backup is not trustworthy: treat it as missing.',
      },
    },
  ];
}

/** The size alert, on the pushed size of the newest backup, for both targets. */
function sizeAlert(facts: Facts): AlertDeclaration {
  const series = `backup_size_bytes{job="backup", source="${facts.name}"}`;
  return {
    name: 'BackupSizeDropped',
    group: 'backup',
    expr: `backup_size_bytes{source="${facts.name}"} < 0.5 * (backup_size_bytes{source="${facts.name}"} offset 1d)`,
    for: '5m',
    // Its cases span 26 h; a 5 m step is the shortest that still proves its 5 m `for:`.
    testEvaluationInterval: '5m',
    severity: 'warning',
    summary: 'The newest backup is less than half the size of the one a day before.',
    description: 'The newest backup of {{ $labels.source }} is less than half the size of the one a day earlier.',
    firing: [minutely('from 1 GB to 400 MB', series, '1000000000x1440 400000000x180', '26h', { job: 'backup', source: facts.name })],
    notFiring: [minutely('from 1 GB to 900 MB', series, '1000000000x1440 900000000x180', '26h')],
    runbook: {
      meaning: 'The encrypted dump shrank by more than half within a day.',
      impact: 'Either data was deleted in the database (a bug, an attack, a bad migration) or the backup misses data it used to contain.',
      diagnosis: 'Compare the `tables` row counts of the two newest manifests (`rclone cat <destination>/<object>.manifest.json`) to see which tables shrank; check recent migrations and deletions.',
      mitigation: 'If data was lost, keep the older backups (they are not deleted while newer ones exist, but retention rotates daily ones after 7 days: copy the last good one aside) and restore the affected rows into another database (docs/disaster-recovery.md).',
    },
  };
}

/** Every backup alert of the project. */
export function backupAlerts(facts: Facts): AlertDeclaration[] {
  return [...(facts.deploysToKubernetes ? kubernetesAlerts(facts) : pushedAlerts(facts)), sizeAlert(facts)];
}
