/**
 * What the service proof and the alert drill share: the files the app reads,
 * a proof's findings and timings, the started app and the database outage.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CheckContext, Finding } from '../../check.ts';
import type { PostgresCluster } from '../../support/postgres.ts';
import { run, startProcess, tail } from '../../support/process.ts';

/** The files the app, its tests and its quality gates read. */
export const SERVICE_INPUTS = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'eslint.config.js',
  'vitest.config.ts',
  '.env.example',
  'docs/configuration.md',
  'src/**',
  'test/**',
] as const;

export interface StepTiming {
  step: string;
  seconds: number;
}

export const MINUTE = 60_000;
/** The shutdown drain the proofs start the app with (SHUTDOWN_DRAIN_MS): short, so a stop takes seconds. */
export const DRAIN_MS = 1500;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The environment of a step: this process's, without anything that would change which servers the project uses. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(DATABASE_|REDIS_|SENTRY_|OTEL_|NODE_ENV$|PORT$|HOST$|LOG_LEVEL$|NODE_OPTIONS$|SERVICE_PROOF_)/.test(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

/** The findings and step timings of one proof, and the clean-ups it registered (run in reverse order). */
export class Proof {
  readonly findings: Finding[] = [];
  readonly timings: StepTiming[] = [];
  readonly #cleanups: (() => Promise<void>)[] = [];
  readonly context: CheckContext;
  /** The check's name, the prefix of its progress lines. */
  readonly label: string;

  constructor(context: CheckContext, label: string) {
    this.context = context;
    this.label = label;
  }

  fail(message: string, file?: string): void {
    this.findings.push(file === undefined ? { message } : { file, message });
  }

  onCleanup(cleanup: () => Promise<void>): void {
    this.#cleanups.unshift(cleanup);
  }

  async cleanup(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0)) {
      try {
        await cleanup();
      } catch (error) {
        this.context.log(`cleanup failed: ${(error as Error).message}`);
      }
    }
  }

  async timed<T>(step: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.context.log(`${this.label}: ${step}`);
    try {
      return await work();
    } finally {
      this.timings.push({ step, seconds: Math.round((performance.now() - started) / 100) / 10 });
    }
  }

  /** Runs a command; a non-zero exit is a finding. Returns whether it passed. */
  async command(step: string, cwd: string, command: string, args: readonly string[], options: { env?: Record<string, string>; timeoutMs: number }): Promise<boolean> {
    return this.timed(step, async () => {
      const result = await run(command, args, { cwd, env: baseEnv(options.env), timeoutMs: options.timeoutMs });
      if (result.code === 0) return true;
      const why = result.timedOut ? `timed out after ${options.timeoutMs / 1000} s` : result.code === undefined ? (result.signal ? `exited with ${result.signal}` : `could not run: ${result.failure}`) : `exited with ${result.code}`;
      this.fail(`${step}: \`${[command, ...args].join(' ')}\` ${why}\n${tail(result.all)}`);
      return false;
    });
  }
}

/** A started `node dist/server.js`: its JSON log lines as parsed, its output tail, and its exit. */
export interface Server {
  child: ChildProcess;
  base: string;
  logs: Record<string, unknown>[];
  output(): string;
  exited: Promise<number | string>;
}

/** Starts the app with `node <args>` in `directory` with `env` (on top of baseEnv), listening on `port` of 127.0.0.1. */
export function startServer(directory: string, args: readonly string[], env: Record<string, string>, port: number): Server {
  const { subprocess, child } = startProcess(process.execPath, args, { cwd: directory, env: baseEnv(env), output: 'pipe' });
  const logs: Record<string, unknown>[] = [];
  let output = '';
  let partial = '';
  subprocess.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log line.
      }
    }
  });
  subprocess.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, base: `http://127.0.0.1:${port}`, logs, output: () => tail(output), exited };
}

/** fetch with a 10 s deadline. */
export async function request(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
}

export async function poll(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if (await probe()) return true;
    } catch {
      // Not yet.
    }
    await sleep(intervalMs);
  }
  return false;
}

/** Stops PostgreSQL, checks readiness and liveness, runs `whileDown` (the alert drill's error traffic), restarts it and checks recovery. */
export async function checkDatabaseOutage(proof: Proof, server: Server, postgres: PostgresCluster, whileDown?: () => Promise<void>): Promise<void> {
  const { base } = server;
  const status = async () => (await request(`${base}/readyz`)).status;
  await postgres.stop();
  if (!(await poll(async () => (await status()) === 503, 15_000))) proof.fail('/readyz did not turn 503 within 15 s of stopping PostgreSQL');
  const live = await request(`${base}/livez`);
  if (live.status !== 200) proof.fail(`/livez answered ${live.status} while PostgreSQL was down; liveness must not depend on it`);
  if (whileDown) await whileDown();
  await postgres.start();
  if (!(await poll(async () => (await status()) === 200, 30_000))) {
    proof.fail('/readyz did not return to 200 within 30 s of restarting PostgreSQL (no automatic recovery)');
    return;
  }
  const afterwards = await request(`${base}/api/v1/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `after-outage-${randomBytes(3).toString('hex')}` }) });
  if (afterwards.status !== 201) proof.fail(`after PostgreSQL came back, POST /api/v1/items answered ${afterwards.status}`);
}

