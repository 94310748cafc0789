/**
 * The backup Kustomize component (deploy/kubernetes/components/backup): a
 * daily backup CronJob and a weekly restore-drill CronJob running the
 * project's scripts (a ConfigMap generated from copies of scripts/, mounted
 * read-only) in the restricted pod the service's own workloads use, with
 * the backup's own ConfigMap and Secret.
 *
 * CronJob rules (RUBRIC §4, Kubernetes "CronJob" and "Jobs" documentation):
 * concurrencyPolicy Forbid, a startingDeadlineSeconds, bounded history,
 * timeZone Etc/UTC, backoffLimit 1–2, activeDeadlineSeconds well below the
 * schedule's interval.
 */
import type { Facts } from '../core/facts.ts';
import type { KustomizeConfigMapGenerator } from '../core/slots.ts';
import { containerSecurityContext, podSecurityContext, tmpMount, tmpVolume } from '../kubernetes/manifests.ts';
import { envFile, manifestYaml } from '../kubernetes/feature.ts';
import { AGE_IDENTITY_SECRET, BACKUP_CONFIG, BACKUP_CRONJOB, BACKUP_IMAGE, BACKUP_SCRIPTS, BACKUP_SECRET, DRILL_CRONJOB, SCRIPT_FILES } from './names.ts';
import { backupSettings } from './settings.ts';

type Manifest = Record<string, unknown>;

export const COMPONENT = 'deploy/kubernetes/components/backup';
const SCRIPTS_MOUNT = '/opt/backup/scripts';
const IDENTITY_MOUNT = '/var/run/secrets/backup-age';

/** The two schedules: 02:30 UTC daily; Sundays 05:00 UTC for the drill, after that night's backup. */
export const SCHEDULES = { backup: '30 2 * * *', drill: '0 5 * * 0' } as const;

function cronJob(
  facts: Facts,
  options: { name: string; schedule: string; script: string; activeDeadlineSeconds: number; secretKeys: readonly string[]; identity: boolean },
): Manifest {
  const labels = { 'app.kubernetes.io/name': facts.name, 'app.kubernetes.io/component': 'backup' };
  const env = options.secretKeys.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: BACKUP_SECRET(facts), key } } }));
  if (options.identity) env.push({ name: 'BACKUP_AGE_IDENTITY_FILE', value: `${IDENTITY_MOUNT}/identity.txt` } as never);
  const items = SCRIPT_FILES.map((file) => ({ key: file.split('/').at(-1) as string, path: file }));
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: options.name, labels },
    spec: {
      schedule: options.schedule,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      // A run more than an hour late is skipped; the age alert reports the gap.
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: options.activeDeadlineSeconds,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: facts.name,
              automountServiceAccountToken: false,
              restartPolicy: 'Never',
              securityContext: podSecurityContext(facts),
              containers: [
                {
                  name: 'backup',
                  image: BACKUP_IMAGE(facts),
                  imagePullPolicy: 'Always',
                  command: ['bash', `${SCRIPTS_MOUNT}/${options.script}`],
                  envFrom: [{ configMapRef: { name: BACKUP_CONFIG(facts) } }],
                  env,
                  resources: {
                    requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
                    limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '256Mi' },
                  },
                  securityContext: containerSecurityContext(facts),
                  volumeMounts: [
                    tmpMount,
                    { name: 'scripts', mountPath: SCRIPTS_MOUNT, readOnly: true },
                    ...(options.identity ? [{ name: 'age-identity', mountPath: IDENTITY_MOUNT, readOnly: true }] : []),
                  ],
                },
              ],
              volumes: [
                // Small metadata only (manifest, row counts): the dump itself is streamed.
                tmpVolume('128Mi'),
                { name: 'scripts', configMap: { name: BACKUP_SCRIPTS(facts), defaultMode: 0o555, items } },
                ...(options.identity ? [{ name: 'age-identity', secret: { secretName: AGE_IDENTITY_SECRET(facts), defaultMode: 0o400 } }] : []),
              ],
            },
          },
        },
      },
    },
  };
}

/** Every file of the component, by project path; `scripts` are the rendered scripts/ files by name. */
export function backupComponentFiles(facts: Facts, scripts: Readonly<Record<string, string>>): Record<string, string> {
  const files: Record<string, string> = {};
  files[`${COMPONENT}/cronjob-backup.yaml`] = manifestYaml(
    `Daily backup of ${facts.title}'s database at ${SCHEDULES.backup} (UTC): scripts/backup.sh (docs/disaster-recovery.md).\nHolds only the age public key: the private key never reaches this pod.`,
    cronJob(facts, {
      name: BACKUP_CRONJOB(facts),
      schedule: SCHEDULES.backup,
      script: 'backup.sh',
      // 4 h of a 24 h interval.
      activeDeadlineSeconds: 4 * 3600,
      secretKeys: ['BACKUP_DATABASE_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
      identity: false,
    }),
  );
  files[`${COMPONENT}/cronjob-restore-drill.yaml`] = manifestYaml(
    `Weekly restore drill at ${SCHEDULES.drill} (UTC): scripts/restore-drill.sh restores the newest backup into a throwaway database on the drill server and verifies it.`,
    cronJob(facts, {
      name: DRILL_CRONJOB(facts),
      schedule: SCHEDULES.drill,
      script: 'restore-drill.sh',
      // 6 h of a 7-day interval.
      activeDeadlineSeconds: 6 * 3600,
      secretKeys: ['BACKUP_DRILL_DATABASE_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
      identity: true,
    }),
  );
  for (const [name, content] of Object.entries(scripts)) files[`${COMPONENT}/scripts/${name}`] = content;
  files[`${COMPONENT}/backup.env`] = envFile(
    `Settings of the backup CronJobs, the ${BACKUP_CONFIG(facts)} ConfigMap (docs/disaster-recovery.md).\nSecrets are never here: ${BACKUP_SECRET(facts)} and ${AGE_IDENTITY_SECRET(facts)} are created outside the repository.\nA blank value means unset.`,
    backupSettings(facts).map((setting) => ({ name: setting.name, value: setting.kubernetes ?? setting.value, description: setting.description })),
  );
  return files;
}

/** The component's kustomization entries (resources and generators), merged with the networkPolicy allow the kubernetes feature adds. */
export function backupKustomization(facts: Facts): { resources: string[]; configMapGenerator: KustomizeConfigMapGenerator[] } {
  return {
    resources: ['cronjob-backup.yaml', 'cronjob-restore-drill.yaml'],
    configMapGenerator: [
      { name: BACKUP_CONFIG(facts), envs: ['backup.env'] },
      { name: BACKUP_SCRIPTS(facts), files: SCRIPT_FILES.map((file) => `scripts/${file}`) },
    ],
  };
}
