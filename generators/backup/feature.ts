/**
 * Backups of the PostgreSQL database: scripts/ (backup, retention, restore,
 * restore drill), the image they run in (deploy/backup/Dockerfile), where
 * they run (a Kustomize component with two CronJobs; on Compose a backup
 * service started by systemd timers), their alerts, the disaster-recovery
 * guide and the decision record on point-in-time recovery.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Facts } from '../core/facts.ts';
import type { Feature } from '../core/feature.ts';
import { pinnedImage } from '../core/versions.ts';
import { composeServicesSlot } from '../compose/slots.ts';
import { adrsSlot, alertsSlot, docsSlot, gitignoreSlot, kustomizeSlot, networkPolicySlot, readmeSlot } from '../core/slots.ts';
import { pointInTimeRecoveryAdr } from './adr.ts';
import { backupAlerts } from './alerts.ts';
import { backupComposeService, composeSettingsFile, systemdUnits } from './compose.ts';
import { backupComponentFiles, backupKustomization } from './kubernetes.ts';
import { settingsTable } from './settings.ts';
import { templatesRoot } from '../core/paths.ts';
import { BACKUP_IMAGE, SCRIPT_FILES } from './names.ts';

// From the package root, not from this module: in the published bundle this code runs from dist/cli.js.
const SCRIPTS_SOURCE = join(templatesRoot, 'backup', 'scripts');

/** The scripts as the project gets them (templates/backup/scripts/, verbatim), by path under scripts/. */
export function scriptSources(): Record<string, string> {
  return Object.fromEntries(SCRIPT_FILES.map((file) => [file, readFileSync(join(SCRIPTS_SOURCE, file), 'utf8')]));
}

/** deploy/backup/Dockerfile: the pinned PostgreSQL image (its pg_dump matches the server) plus the tools the scripts run. */
export function backupDockerfile(): string {
  return [
    '# syntax=docker/dockerfile:1',
    '# The image the backup scripts run in: the PostgreSQL image the project pins, so',
    "# pg_dump, pg_restore and psql have the server's major version, plus age, rclone,",
    '# jq, curl, bash and GNU coreutils from the same Alpine release.',
    '# Build and push it with the app image; deploys pin it by digest.',
    `FROM ${pinnedImage('postgres')}`,
    '# The Alpine release is fixed by the base digest; its packages get security fixes only.',
    '# hadolint ignore=DL3018',
    'RUN apk add --no-cache bash coreutils age rclone jq curl',
    'USER 10001:10001',
    'WORKDIR /tmp',
    'ENTRYPOINT ["bash"]',
    '',
  ].join('\n');
}

export const backupFeature: Feature = {
  name: 'backup',
  summary: 'Encrypted, verified pg_dump backups to object storage with GFS retention, restore and weekly restore drills, their schedules, alerts and disaster-recovery guide.',
  applies: (facts) => facts.hasBackup && facts.hasPostgres,
  contribute: ({ facts, part }) => [
    readmeSlot.of({ title: 'Backups', order: 36, body: part('readme.md') }),
    // The age private key must never be committed (docs/disaster-recovery.md, "Encryption keys").
    gitignoreSlot.of('backup-age-identity.txt'),
    docsSlot.of(
      { page: 'docs/disaster-recovery.md', title: 'Objectives', order: 10, body: part('dr-objectives.md') },
      { page: 'docs/disaster-recovery.md', title: 'How backups work', order: 20, body: part('dr-how.md') },
      { page: 'docs/disaster-recovery.md', title: 'Settings', order: 30, body: [part('dr-settings.md'), settingsTable(facts), part('dr-settings-first-run.md')].map((text) => text.trim()).filter((text) => text !== '').join('\n\n') },
      { page: 'docs/disaster-recovery.md', title: 'Restore', order: 40, body: part('dr-restore.md') },
      { page: 'docs/disaster-recovery.md', title: 'Restore into another environment', order: 50, body: part('dr-other-environment.md') },
      { page: 'docs/disaster-recovery.md', title: 'Encryption keys', order: 60, body: part('dr-keys.md') },
      { page: 'docs/disaster-recovery.md', title: 'When a backup is missing', order: 70, body: part('dr-missing.md') },
    ),
    adrsSlot.of(pointInTimeRecoveryAdr(facts)),
    alertsSlot.of(...backupAlerts(facts)),
    ...(facts.deploysToKubernetes
      ? [
          kustomizeSlot.of(
            { kustomization: 'components/backup', ...backupKustomization(facts) },
            ...(['staging', 'production'] as const).map((environment) => ({
              kustomization: `overlays/${environment}`,
              // The first release's tag; deploys replace it with the released digest, as for the app image.
              images: [{ name: BACKUP_IMAGE(facts), newTag: '0.1.0' }],
            })),
          ),
          networkPolicySlot.of({
            name: 'egress-object-store',
            direction: 'egress',
            peers: [],
            ports: [{ port: 443, protocol: 'TCP' }],
            why: 'HTTPS to the object store the backups are written to (S3 or compatible, outside the cluster).',
            kustomization: 'components/backup',
            podComponent: 'backup',
          }),
          networkPolicySlot.of({
            name: 'egress-pushgateway',
            direction: 'egress',
            peers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
            ports: [{ port: 9091, protocol: 'TCP' }],
            why: 'Backup and drill metrics pushed to the Prometheus Pushgateway in the monitoring namespace.',
            kustomization: 'components/backup',
            podComponent: 'backup',
          }),
        ]
      : []),
    ...(facts.deploysWithCompose ? [composeServicesSlot.of(backupComposeService(facts))] : []),
  ],
  files: (facts: Facts) => {
    const scripts = scriptSources();
    return {
      'deploy/backup/Dockerfile': backupDockerfile(),
      ...(facts.deploysToKubernetes ? backupComponentFiles(facts, scripts) : {}),
      ...(facts.deploysWithCompose ? { ...systemdUnits(facts), 'deploy/backup/backup.env': composeSettingsFile(facts) } : {}),
    };
  },
};
