/**
 * Throwaway PostgreSQL and Redis servers on loopback for checks that need a
 * real database or cache: started on a free port in a temporary directory,
 * stopped (and their files removed) when the run ends, also on SIGINT or a
 * failure. PostgreSQL refuses to run as root, so as root it runs as the
 * unprivileged "postgres" (or "nobody") user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { onCleanup } from './cleanup.ts';

export type ServiceName = 'postgres' | 'redis';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * A program from PATH, or for PostgreSQL from Debian's versioned directory.
 * `resolveLinks` for programs run as another user, who may not be able to read
 * the tools directory (not for multi-call programs such as redis-server).
 */
export function findProgram(name: string, resolveLinks = false): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, name);
    if (directory && existsSync(candidate)) return resolveLinks ? realpathSync(candidate) : candidate;
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const version of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) {
      const candidate = join(debian, version, 'bin', name);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`${name} not found on PATH (run bash matrix/tools/install.sh)`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The uid/gid to run PostgreSQL as: ourselves, or an unprivileged system user when we are root. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('Running as root and no unprivileged user (postgres, nobody) exists to run PostgreSQL');
}

function chownRecursive(path: string, user: { uid: number; gid: number }): void {
  chownSync(path, user.uid, user.gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownRecursive(child, user);
    else chownSync(child, user.uid, user.gid);
  }
}

async function waitFor(what: string, child: ChildProcess, logFile: string, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited during start-up (${child.exitCode ?? child.signalCode}):\n${existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : ''}`);
    }
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s:\n${existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : ''}`);
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * `signal` stops the server in an orderly way; `exitSignal` is sent when the
 * process exits without that chance (PostgreSQL: SIGQUIT, an immediate
 * shutdown that still stops its child processes).
 */
function managed(child: ChildProcess, directory: string, signal: NodeJS.Signals, exitSignal: NodeJS.Signals, url: string): RunningServer {
  const remove = () => rmSync(directory, { recursive: true, force: true });
  const stop = onCleanup(
    async () => {
      await stopChild(child, signal);
      remove();
    },
    () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(exitSignal);
      remove();
    },
  );
  return { url, stop };
}

export async function startPostgres(): Promise<RunningServer> {
  const initdb = findProgram('initdb', true);
  const postgres = findProgram('postgres', true);
  const user = unprivilegedUser();
  const directory = mkdtempSync(join(tmpdir(), 'prodready-matrix-postgres-'));
  const data = join(directory, 'data');
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(directory, 'password');
  const logFile = join(directory, 'server.log');
  writeFileSync(passwordFile, `${password}\n`);
  chmodSync(directory, 0o700);
  if (user) chownRecursive(directory, user);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(
    initdb,
    ['-D', data, '-U', 'matrix', `--pwfile=${passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...asUser, encoding: 'utf8', timeout: 120_000 },
  );
  if (init.status !== 0) {
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.error?.message}):\n${init.stderr}`);
  }
  const port = await freePort();
  const log = openSync(logFile, 'a');
  if (user) chownSync(logFile, user.uid, user.gid);
  const child = spawn(
    postgres,
    ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', directory, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    { ...asUser, stdio: ['ignore', log, log] },
  );
  const url = `postgres://matrix:${password}@127.0.0.1:${port}/matrix`;
  const server = managed(child, directory, 'SIGINT', 'SIGQUIT', url);
  try {
    const psql = findProgram('psql');
    const env = { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '2' };
    const query = (database: string, sql: string) =>
      spawnSync(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', 'matrix', '-d', database, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { env, encoding: 'utf8', timeout: 10_000 });
    await waitFor('PostgreSQL', child, logFile, async () => query('postgres', 'select 1').status === 0);
    const created = query('postgres', 'create database matrix');
    if (created.status !== 0) throw new Error(`create database failed: ${created.stderr}`);
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function startRedis(): Promise<RunningServer> {
  const redis = findProgram('redis-server');
  const directory = mkdtempSync(join(tmpdir(), 'prodready-matrix-redis-'));
  const logFile = join(directory, 'server.log');
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const child = spawn(
    redis,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory, '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
    { stdio: ['ignore', log, log] },
  );
  const server = managed(child, directory, 'SIGTERM', 'SIGKILL', `redis://127.0.0.1:${port}`);
  try {
    await waitFor('Redis', child, logFile, () => redisPing(port));
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The servers of one run, each started once, on first need. */
export class Services {
  private readonly started = new Map<ServiceName, Promise<RunningServer>>();

  async ensure(names: readonly ServiceName[]): Promise<{ postgresUrl?: string; redisUrl?: string }> {
    const urls: { postgresUrl?: string; redisUrl?: string } = {};
    for (const name of names) {
      let server = this.started.get(name);
      if (!server) {
        server = name === 'postgres' ? startPostgres() : startRedis();
        this.started.set(name, server);
      }
      const { url } = await server;
      if (name === 'postgres') urls.postgresUrl = url;
      else urls.redisUrl = url;
    }
    return urls;
  }

  get running(): ServiceName[] {
    return [...this.started.keys()];
  }

  async stopAll(): Promise<void> {
    const servers = [...this.started.values()];
    this.started.clear();
    await Promise.all(servers.map(async (server) => (await server.catch(() => undefined))?.stop()));
  }
}
