/**
 * Backups on Compose: a `backup` service in compose.production.yaml (profile
 * "backup", so `up` never starts it) running the project's scripts, and
 * systemd timers on the host that run it on the same schedules as the
 * Kubernetes CronJobs (deploy/backup/systemd/).
 */
import type { Facts } from '../core/facts.ts';
import type { ComposeService } from '../compose/slots.ts';
import { envFile } from '../kubernetes/feature.ts';
import { BACKUP_SECRETS, backupSettings } from './settings.ts';
import { BACKUP_IMAGE } from './names.ts';

/** Where the project is deployed on the host (the systemd units' working directory). */
export const HOST_DIRECTORY = (facts: Facts) => `/opt/${facts.name}`;
/** The age identity on the host, readable by root only; mounted by the drill alone. */
export const HOST_IDENTITY = (facts: Facts) => `/etc/${facts.name}/backup-age-identity.txt`;

export function backupComposeService(facts: Facts): ComposeService {
  return {
    name: 'backup',
    profiles: ['backup'],
    service: {
      image: `\${BACKUP_IMAGE:-${BACKUP_IMAGE(facts)}}:\${TAG:?Set TAG in .env.production to the image tag to deploy}`,
      restart: 'no',
      user: facts.appUser,
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      tmpfs: ['/tmp:size=128m,mode=1777'],
      // Settings from the repository, then the secrets from the host.
      env_file: [
        { path: 'deploy/backup/backup.env', required: true },
        { path: '.env.backup', required: true },
      ],
      command: ['/opt/backup/scripts/backup.sh'],
      volumes: [{ type: 'bind', source: './scripts', target: '/opt/backup/scripts', read_only: true }],
      // internal reaches the database; public reaches the object store.
      networks: ['internal', 'public'],
      deploy: { resources: { limits: { cpus: '1.00', memory: '512M' } } },
      logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } },
    },
  };
}

const unit = (lines: readonly string[]) => `${lines.join('\n')}\n`;

/** deploy/backup/backup.env: the non-secret settings of the Compose backup service. */
export function composeSettingsFile(facts: Facts): string {
  const secrets = BACKUP_SECRETS.filter((secret) => secret.name !== 'RESTORE_DATABASE_URL' && secret.name !== 'BACKUP_AGE_IDENTITY_FILE').map((secret) => secret.name);
  return envFile(
    `Settings of the Compose backup service (docs/disaster-recovery.md).\nSecrets are never here: ${secrets.join(', ')} go in .env.backup on the host (mode 600, not in git).\nA blank value means unset.`,
    backupSettings(facts).map((setting) => ({ name: setting.name, value: setting.value, description: setting.description })),
  );
}

/** The systemd service and timer units of the backup and the drill, by project path. */
export function systemdUnits(facts: Facts): Record<string, string> {
  const directory = HOST_DIRECTORY(facts);
  const compose = `/usr/bin/docker compose --env-file .env.production -f compose.production.yaml --profile backup run --rm`;
  const service = (description: string, command: string) =>
    unit([
      '[Unit]',
      `Description=${description}`,
      'Wants=network-online.target docker.service',
      'After=network-online.target docker.service',
      '',
      '[Service]',
      'Type=oneshot',
      `WorkingDirectory=${directory}`,
      `ExecStart=${compose} ${command}`,
      // Shorter than the interval, as the CronJobs' activeDeadlineSeconds.
      'TimeoutStartSec=4h',
    ]);
  const timer = (description: string, calendar: string) =>
    unit(['[Unit]', `Description=${description}`, '', '[Timer]', `OnCalendar=${calendar}`, 'Persistent=true', 'RandomizedDelaySec=10m', '', '[Install]', 'WantedBy=timers.target']);
  return {
    [`deploy/backup/systemd/${facts.name}-backup.service`]: service(`Backup of the ${facts.title} database (scripts/backup.sh)`, 'backup'),
    [`deploy/backup/systemd/${facts.name}-backup.timer`]: timer(`Daily backup of the ${facts.title} database`, '*-*-* 02:30:00 UTC'),
    [`deploy/backup/systemd/${facts.name}-restore-drill.service`]: service(
      `Restore drill of the newest ${facts.title} backup (scripts/restore-drill.sh)`,
      `--volume ${HOST_IDENTITY(facts)}:/run/secrets/age-identity.txt:ro --env BACKUP_AGE_IDENTITY_FILE=/run/secrets/age-identity.txt backup /opt/backup/scripts/restore-drill.sh`,
    ),
    [`deploy/backup/systemd/${facts.name}-restore-drill.timer`]: timer(`Weekly restore drill of the ${facts.title} backups`, 'Sun *-*-* 05:00:00 UTC'),
  };
}
