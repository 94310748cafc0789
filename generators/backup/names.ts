/** Names of the backup objects, shared by the manifests, the alerts and the docs. */
import type { Facts } from '../core/facts.ts';

export const BACKUP_CRONJOB = (facts: Facts) => `${facts.name}-backup`;
export const DRILL_CRONJOB = (facts: Facts) => `${facts.name}-restore-drill`;
/** ConfigMap of the backup settings (not the app's). */
export const BACKUP_CONFIG = (facts: Facts) => `${facts.name}-backup-config`;
/** ConfigMap generated from scripts/. */
export const BACKUP_SCRIPTS = (facts: Facts) => `${facts.name}-backup-scripts`;
/** Secret with the database URLs and the object-store credentials. */
export const BACKUP_SECRET = (facts: Facts) => `${facts.name}-backup`;
/** Secret with the age private key: mounted by the drill only, never by the backup. */
export const AGE_IDENTITY_SECRET = (facts: Facts) => `${facts.name}-backup-age-identity`;
/** The backup image: the pinned PostgreSQL image plus age, rclone, jq and curl (deploy/backup/Dockerfile). */
export const BACKUP_IMAGE = (facts: Facts) => `${facts.image}-backup`;
/** The scripts, in the order of the ConfigMap; lib/ files are sourced. */
export const SCRIPT_FILES = ['backup.sh', 'backup-retention.sh', 'restore.sh', 'restore-drill.sh', 'lib/backup-common.sh'] as const;
