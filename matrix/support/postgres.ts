/**
 * PostgreSQL for the matrix: throwaway clusters (initdb in a temporary
 * directory, started with pg_ctl on a free loopback port, as an unprivileged
 * user when we are root, since PostgreSQL refuses to run as root) and
 * throwaway databases on a running server.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './ports.ts';
import { findProgram, run, runChecked, tail } from './process.ts';

export interface UserIds {
  uid: number;
  gid: number;
}

/** The uid/gid to run PostgreSQL as: undefined (ourselves) unless we are root, then "postgres" or else "nobody" from /etc/passwd. */
export function unprivilegedUser(): UserIds | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('Running as root and no unprivileged user (postgres, nobody) exists to run PostgreSQL');
}

function chownRecursive(path: string, user: UserIds): void {
  chownSync(path, user.uid, user.gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownRecursive(child, user);
    else chownSync(child, user.uid, user.gid);
  }
}

/** The directory with initdb, pg_ctl and postgres of one installation: $PG_BINDIR, else where initdb on PATH (or Debian's newest) really is. */
function postgresBinDir(): string {
  const fromEnv = process.env.PG_BINDIR;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  return dirname(findProgram('initdb', true));
}

export interface ClusterOptions {
  /** The superuser initdb creates. */
  user: string;
  /** With a password: scram-sha-256 over TCP (trust on the socket). Without: trust everywhere. */
  password?: string;
}

/** A PostgreSQL cluster of its own (data directory and port), which may be stopped and started at will. */
export class PostgresCluster {
  readonly directory: string;
  readonly port: number;
  readonly user: string;
  private readonly password: string | undefined;
  private readonly bin: string;
  private readonly owner: UserIds | undefined;

  private constructor(directory: string, port: number, options: ClusterOptions, bin: string, owner: UserIds | undefined) {
    this.directory = directory;
    this.port = port;
    this.user = options.user;
    this.password = options.password;
    this.bin = bin;
    this.owner = owner;
  }

  /** Runs initdb in a new temporary directory; the cluster is not started yet. Throws with initdb's output when it fails. */
  static async create(options: ClusterOptions): Promise<PostgresCluster> {
    const bin = postgresBinDir();
    const owner = unprivilegedUser();
    const directory = mkdtempSync(join(tmpdir(), 'prodready-matrix-postgres-'));
    chmodSync(directory, 0o700);
    const auth = ['--auth=trust'];
    if (options.password !== undefined) {
      writeFileSync(join(directory, 'password'), `${options.password}\n`);
      auth.splice(0, 1, `--pwfile=${join(directory, 'password')}`, '--auth-local=trust', '--auth-host=scram-sha-256');
    }
    if (owner) chownRecursive(directory, owner);
    const cluster = new PostgresCluster(directory, await freePort(), options, bin, owner);
    try {
      await cluster.pg('initdb', ['-D', cluster.data, '-U', options.user, ...auth, '-E', 'UTF8', '--locale=C', '--no-sync'], 120_000);
    } catch (error) {
      rmSync(directory, { recursive: true, force: true });
      throw error;
    }
    return cluster;
  }

  get data(): string {
    return join(this.directory, 'data');
  }

  /** postgres://user[:password]@127.0.0.1:port/database */
  url(database = 'postgres'): string {
    const credentials = this.password === undefined ? this.user : `${this.user}:${this.password}`;
    return `postgres://${credentials}@127.0.0.1:${this.port}/${database}`;
  }

  private async pg(program: string, args: readonly string[], timeoutMs = 60_000): Promise<void> {
    const result = await run(join(this.bin, program), args, { cwd: this.directory, timeoutMs, ...(this.owner ?? {}) });
    if (result.code !== 0) throw new Error(`${program} failed (${result.failure ?? `exit ${result.code}`}):\n${tail(result.all, 20)}`);
  }

  /** Starts the server and waits until it accepts connections; throws with the server log when it does not. */
  async start(): Promise<void> {
    const log = join(this.directory, 'server.log');
    const settings = `-p ${this.port} -h 127.0.0.1 -k ${this.directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    try {
      await this.pg('pg_ctl', ['-D', this.data, '-l', log, '-o', settings, '-w', '-t', '60', 'start'], 90_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${existsSync(log) ? tail(readFileSync(log, 'utf8'), 20) : ''}`);
    }
  }

  /** A fast shutdown (connections are closed), waiting until it is down. */
  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  get running(): boolean {
    return existsSync(join(this.data, 'postmaster.pid'));
  }

  /** Stops the server if it runs and removes its files. */
  async destroy(): Promise<void> {
    try {
      if (this.running) await this.stop();
    } catch {
      this.killNow();
    }
    rmSync(this.directory, { recursive: true, force: true });
  }

  /** For process exit, where only synchronous work runs: an immediate shutdown (SIGQUIT to the postmaster) and the files removed. */
  killNow(): void {
    try {
      const pid = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // Not running.
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** Runs SQL with psql against a database URL; throws with psql's output when it fails. */
export async function psql(url: string, sql: string): Promise<void> {
  await runChecked(findProgram('psql'), [url, '--no-psqlrc', '--quiet', '--set', 'ON_ERROR_STOP=1', '--command', sql], { env: { PGCONNECT_TIMEOUT: '5' }, extendEnv: true, timeoutMs: 60_000 });
}

/** A database of its own (`<prefix>_<random>`) on the given server, so concurrent users never share schema state. `drop` removes it, even with open connections. */
export async function throwawayDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await psql(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => psql(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
