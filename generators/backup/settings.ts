/**
 * The backup's environment variables: the same names on Kubernetes (the
 * backup ConfigMap and Secret), Compose (deploy/backup/backup.env and the
 * secret .env.backup) and a workstation.
 * They are not the app's variables, so they never enter the env slot.
 */
import type { Facts } from '../core/facts.ts';

export interface BackupSetting {
  name: string;
  description: string;
  /** Value in the generated settings file; blank means unset. */
  value: string;
  /** Value on Kubernetes when it differs. */
  kubernetes?: string;
}

export interface BackupSecret {
  name: string;
  description: string;
  /** The scripts that read it. */
  readBy: string;
}

/** Non-secret settings, in the order the settings files list them. */
export function backupSettings(facts: Facts): BackupSetting[] {
  return [
    { name: 'BACKUP_SOURCE', description: 'Name recorded in each manifest; retention and restore only touch backups of this name.', value: facts.name },
    { name: 'BACKUP_DESTINATION', description: 'rclone path of the backups: `s3:<bucket>/<prefix>`, or a directory.', value: `s3:${facts.name}-backups/postgres` },
    { name: 'BACKUP_S3_ENDPOINT', description: 'Endpoint of an S3-compatible store; blank for AWS S3.', value: '' },
    { name: 'BACKUP_S3_REGION', description: 'Region of the bucket.', value: 'us-east-1' },
    { name: 'BACKUP_AGE_RECIPIENT', description: 'age public key (age1...) the backups are encrypted to; set it before the first run (docs/disaster-recovery.md, "Encryption keys").', value: '' },
    { name: 'BACKUP_KEEP_DAILY', description: 'Keep the newest backup of each of the last N days.', value: '7' },
    { name: 'BACKUP_KEEP_WEEKLY', description: 'Keep the newest backup of each of the last N ISO weeks.', value: '4' },
    { name: 'BACKUP_KEEP_MONTHLY', description: 'Keep the newest backup of each of the last N months.', value: '12' },
    {
      name: 'BACKUP_PUSHGATEWAY_URL',
      description: 'Prometheus Pushgateway the scripts push their metrics to; blank to push nothing.',
      // On Compose, a Pushgateway service on the project's network.
      value: 'http://pushgateway:9091',
      kubernetes: 'http://pushgateway.monitoring.svc:9091',
    },
    { name: 'BACKUP_DRILL_REQUIRED_TABLE', description: 'A table every restore must contain (the migrations table).', value: 'public.schema_migrations' },
  ];
}

/** Secret settings: created outside the repository, read by reference. */
export const BACKUP_SECRETS: readonly BackupSecret[] = [
  { name: 'BACKUP_DATABASE_URL', description: 'postgres:// URL of the database with a role that may read every table (pg_read_all_data).', readBy: 'backup.sh' },
  { name: 'AWS_ACCESS_KEY_ID', description: 'Access key of the object store, limited to the backup bucket.', readBy: 'all scripts' },
  { name: 'AWS_SECRET_ACCESS_KEY', description: 'Its secret key.', readBy: 'all scripts' },
  { name: 'BACKUP_DRILL_DATABASE_URL', description: 'postgres:// URL of a maintenance database on a server for drills, with a role that may CREATE DATABASE; never the production server.', readBy: 'restore-drill.sh' },
  { name: 'BACKUP_AGE_IDENTITY_FILE', description: 'File holding the age private key; only where restores run, never beside the backups.', readBy: 'restore.sh, restore-drill.sh' },
  { name: 'RESTORE_DATABASE_URL', description: 'postgres:// URL of the database a manual restore writes into.', readBy: 'restore.sh' },
];

/** The Markdown table of every backup variable, for docs/disaster-recovery.md. */
export function settingsTable(facts: Facts): string {
  const defaults = (setting: BackupSetting) => {
    if (setting.value === '') return 'unset';
    if (setting.kubernetes === undefined) return `\`${setting.value}\``;
    return [facts.deploysToKubernetes ? `\`${setting.kubernetes}\` on Kubernetes` : '', facts.deploysWithCompose ? `\`${setting.value}\` on Compose` : ''].filter(Boolean).join(', ');
  };
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = [
    ...backupSettings(facts).map((setting) => `| \`${setting.name}\` | no | ${cell(setting.description)} Default: ${defaults(setting)}. |`),
    ...BACKUP_SECRETS.map((secret) => `| \`${secret.name}\` | yes | ${cell(secret.description)} Read by ${secret.readBy}. |`),
  ];
  return ['| Variable | Secret | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
