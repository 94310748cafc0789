/**
 * Throwaway PostgreSQL and Redis servers on loopback for checks that need a
 * real database or cache: started on a free port in a temporary directory,
 * stopped (and their files removed) when the run ends, also on SIGINT or a
 * failure. PostgreSQL refuses to run as root, so as root it runs as the
 * unprivileged "postgres" (or "nobody") user (see support/postgres.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { onCleanup } from './cleanup.ts';
import { freePort } from './support/ports.ts';
import { PostgresCluster, psql } from './support/postgres.ts';
import { findProgram, startProcess } from './support/process.ts';

export type ServiceName = 'postgres' | 'redis';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
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
 * A throwaway cluster (see support/postgres.ts) with a password-protected
 * "matrix" user and database; stopped and removed when the run ends, on
 * failure, and on SIGINT or SIGTERM (SIGQUIT, an immediate shutdown, on exit).
 */
export async function startPostgres(): Promise<RunningServer> {
  const cluster = await PostgresCluster.create({ user: 'matrix', password: randomBytes(12).toString('hex') });
  const stop = onCleanup(
    () => cluster.destroy(),
    () => cluster.killNow(),
  );
  try {
    await cluster.start();
    await psql(cluster.url('postgres'), 'create database matrix');
    return { url: cluster.url('matrix'), stop };
  } catch (error) {
    await stop();
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
  const { child } = startProcess(
    redis,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory, '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
    { env: process.env, output: log },
  );
  const remove = () => rmSync(directory, { recursive: true, force: true });
  const stop = onCleanup(
    async () => {
      await stopChild(child, 'SIGTERM');
      remove();
    },
    () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      remove();
    },
  );
  const server = { url: `redis://127.0.0.1:${port}`, stop };
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
