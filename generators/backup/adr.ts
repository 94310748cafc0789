/** The decision the backup feature made: nightly logical dumps now, point-in-time recovery when the objectives ask for it. */
import type { Facts } from '../core/facts.ts';
import type { Adr } from '../core/slots.ts';

export function pointInTimeRecoveryAdr(facts: Facts): Adr {
  return {
    slug: 'logical-backups-before-point-in-time-recovery',
    title: 'Back up with nightly encrypted logical dumps; adopt point-in-time recovery when the recovery point objective drops below a day',
    status: 'accepted',
    order: 60,
    context: `${facts.title} keeps its state in PostgreSQL. A backup must survive the loss of the database server and of the cluster it runs in, be encrypted so the storage provider cannot read it, and be proven restorable. Logical dumps (\`pg_dump\`) give a consistent copy of one moment: everything written after the last dump is lost in a disaster, so they are not continuity. Continuous archiving of the write-ahead log (WAL) with base backups allows point-in-time recovery (PITR) to any second, at the cost of running and monitoring more machinery.`,
    drivers: [
      'Recovery point objective (RPO) and recovery time objective (RTO) the service must meet.',
      'Works with any PostgreSQL: managed (RDS, Cloud SQL, Azure) or self-run, without superuser or replication rights.',
      'Backups encrypted before they leave the pod, to a key the backup job cannot decrypt with.',
      'Each backup verified, and restores drilled weekly.',
      'Few moving parts for a team that does not run PostgreSQL for a living.',
    ],
    options: [
      {
        title: 'Nightly pg_dump, encrypted with age, to object storage',
        description: 'scripts/backup.sh: `pg_dump -Fc` streamed through age to S3-compatible storage, verified with pg_restore, manifest beside it, grandfather-father-son retention, weekly restore drill.',
        pros: ['Needs only a role that can read every table; works on every managed PostgreSQL.', 'Portable across major versions and providers; restores a single table with pg_restore.', 'Small, readable scripts; tested end to end by a real drill.'],
        cons: ['RPO up to 24 hours: every write since the last dump is lost.', 'RTO grows with the data: restore replays all data and rebuilds every index (the drill measures it).', 'Dumping a large, busy database holds one long transaction.'],
      },
      {
        title: 'CloudNativePG with Barman Cloud (WAL archiving and base backups)',
        description: 'A Kubernetes operator running PostgreSQL; backups and WAL go to object storage through the Barman Cloud plugin.',
        pros: ['PITR to any second: RPO of minutes or less (archive_timeout).', 'Restores create a new cluster declaratively; replicas and failover included.', 'Backups and retention are part of the cluster resource.'],
        cons: ['Only for PostgreSQL run by the operator in Kubernetes, not a managed database or Compose.', 'The team runs PostgreSQL itself: upgrades, storage, failover.'],
      },
      {
        title: 'pgBackRest',
        pros: ['PITR, parallel and incremental/differential backups, encryption and checksums built in.', 'Fast restores of large databases (delta restore).', 'Mature, widely used on self-run PostgreSQL.'],
        cons: ['Needs access to the data directory or SSH to the server: not possible on most managed databases.', 'A repository host and its configuration to operate and monitor.'],
      },
      {
        title: 'WAL-G',
        pros: ['PITR with WAL archiving to S3, GCS or Azure; compression, encryption (libsodium) and delta backups.', 'A single binary, simple to run beside the server.'],
        cons: ['Like pgBackRest, needs the server itself (archive_command, data directory): not for managed databases.', 'Restores and WAL replay must be drilled too; more ways to misconfigure archiving silently.'],
      },
      {
        title: "The managed database's own backups and PITR",
        pros: ['PITR with no work, usually 7–35 days.'],
        cons: ['Tied to the provider and account: a compromised or closed account loses the backups too.', 'Not available for a self-run server or Compose.'],
      },
    ],
    outcome: {
      chosen: 'Nightly pg_dump, encrypted with age, to object storage',
      because:
        'it meets an RPO of 24 hours and an RTO measured weekly with no extra operator and on any PostgreSQL, and it is a second, provider-independent copy even where the managed database also offers PITR. Switch to WAL archiving with PITR (CloudNativePG with Barman Cloud on Kubernetes, pgBackRest or WAL-G on a self-run server, or the provider\'s PITR) when losing up to a day of writes is no longer acceptable, when the drill\'s measured restore time exceeds the RTO, or when the dump no longer fits its nightly window; keep the logical dumps as the independent copy.',
    },
    consequences: {
      good: [
        'Backups are encrypted before they leave the pod, verified, and restorable by anyone with the age identity and the scripts.',
        'The weekly drill proves restorability and measures the RTO (backup_restore_drill_duration_seconds).',
      ],
      bad: ['Up to a day of writes can be lost (RPO 24 h).', 'Restore time grows with the database and must be watched.'],
    },
    confirmation: 'The restore drill CronJob (or timer) succeeds weekly and the RestoreDrillTooOld and BackupTooOld alerts stay quiet; the project\'s matrix runs a real backup, retention, drill and restore of these scripts against PostgreSQL and an S3 server.',
  };
}
