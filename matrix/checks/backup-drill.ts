/**
 * A real backup and restore drill of the generated scripts/ (once per
 * distinct script set): a throwaway PostgreSQL database with a seeded schema,
 * an S3 server on loopback (moto), a fresh age key pair and rclone as the
 * client. backup.sh runs on four simulated nights (faketime), retention must
 * leave exactly the expected backups and never another source's, the drill
 * must pass and clean up, restore.sh must reproduce every table's content,
 * refuse a non-empty target without --clean and apply a scrub file; a wrong
 * age key, a corrupted object, an unreachable database, an unreachable store
 * and a full destination must each exit non-zero with a clear message and add
 * no manifest. The drill itself is matrix/checks/backup/drill.sh.
 *
 *   node matrix/checks/backup-drill.ts <project-dir> [--postgres-url URL]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { PostgresCluster } from '../support/postgres.ts';
import { run, runChecked } from '../support/process.ts';

const DRILL = join(import.meta.dirname, 'backup', 'drill.sh');
/** The drill harness is part of the check: its hash goes into the tool version, so changing it re-runs the drill. */
const DRILL_HASH = createHash('sha256').update(readFileSync(DRILL)).digest('hex').slice(0, 12);
const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

export const backupDrillCheck: Check = {
  name: 'backup-drill',
  inputs: ['scripts/**/*.sh'],
  appliesTo: ['scripts/backup.sh'],
  services: ['postgres'],
  timeoutMs: 180_000,
  async tool(context: CheckContext): Promise<string> {
    const versions = await Promise.all([
      runChecked(toolPath(context, 'pg_dump'), ['--version']),
      runChecked(toolPath(context, 'age'), ['--version']),
      runChecked(toolPath(context, 'rclone'), ['version']),
      runChecked(join(context.toolsDir, 'venv-backup', 'bin', 'python'), ['-c', 'import moto; print("moto", moto.__version__)']),
      runChecked('dpkg-query', ['--show', '--showformat=faketime ${Version}', 'faketime']),
    ]);
    return [...versions.map(firstLine), `drill harness ${DRILL_HASH}`].join('; ');
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    let cluster: PostgresCluster | undefined;
    let serverUrl = context.postgresUrl;
    if (!serverUrl) {
      cluster = await PostgresCluster.create({ user: 'postgres', password: 'drill' });
      await cluster.start();
      serverUrl = cluster.url('postgres');
    }
    const work = mkdtempSync(join(tmpdir(), 'backup-drill-'));
    try {
      const bin = join(context.toolsDir, 'bin');
      const result = await run('bash', [DRILL, join(directory, 'scripts'), serverUrl, work], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
        timeoutMs: 170_000,
      });
      if (result.code !== 0) throw new Error(`the drill could not run (${result.failure ?? `exit ${result.code}`}): ${result.stderr.trim()}`);
      context.log(result.stdout.trim() || 'drill passed');
      return [...result.stdout.matchAll(/^FAIL: (.*)$/gm)].map((match) => ({ file: 'scripts/backup.sh', message: match[1] as string }));
    } finally {
      rmSync(work, { recursive: true, force: true });
      await cluster?.destroy();
    }
  },
};

export default backupDrillCheck;

if (import.meta.main) await runStandalone(backupDrillCheck);
