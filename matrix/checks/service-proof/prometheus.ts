/**
 * A throwaway Prometheus server on loopback that scrapes one target and
 * evaluates rule files, for drills that watch alerts change state against a
 * running service. Uses the Prometheus HTTP API (`/api/v1/alerts`,
 * `/api/v1/rules`, `/api/v1/query`; https://prometheus.io/docs/prometheus/latest/querying/api/).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { withDeadline } from '../../support/deadline.ts';
import { freePort } from '../../support/ports.ts';
import { startProcess, tail } from '../../support/process.ts';

/** What Prometheus scrapes: `address` is host:port, `metricsPath` e.g. "/metrics", `job` the scrape job name the rules select on. */
export interface ScrapeTarget {
  address: string;
  metricsPath: string;
  job: string;
}

export interface PrometheusOptions {
  /** The prometheus server binary (Debian's `prometheus` 2.42 here). */
  binary: string;
  /** Absolute paths of the rule files, loaded as they are. */
  ruleFiles: readonly string[];
  target: ScrapeTarget;
  /** Scrape and rule-evaluation interval in seconds (whole seconds; 1 keeps drills short). */
  intervalSeconds: number;
}

/** One entry of /api/v1/alerts: state is "pending" (expression true, `for:` not yet elapsed) or "firing". */
export interface ActiveAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

/** A rule of /api/v1/rules whose last evaluation failed. */
export interface RuleError {
  group: string;
  rule: string;
  error: string;
}

/** The prometheus.yml of a drill: one scrape job, the rule files, no Alertmanager, built as data. */
export function drillConfig(options: Pick<PrometheusOptions, 'ruleFiles' | 'target' | 'intervalSeconds'>): string {
  const interval = `${options.intervalSeconds}s`;
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: [...options.ruleFiles],
    scrape_configs: [{ job_name: options.target.job, metrics_path: options.target.metricsPath, static_configs: [{ targets: [options.target.address] }] }],
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Prometheus {
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #directory: string;
  readonly #output: () => string;

  private constructor(url: string, child: ChildProcess, directory: string, output: () => string) {
    this.url = url;
    this.#child = child;
    this.#directory = directory;
    this.#output = output;
  }

  /**
   * Starts Prometheus with a fresh TSDB in a temporary directory and waits (up
   * to 30 s) until it is ready. Throws with its output when it does not start.
   */
  static async start(options: PrometheusOptions): Promise<Prometheus> {
    const directory = mkdtempSync(join(tmpdir(), 'prometheus-drill-'));
    const config = join(directory, 'prometheus.yml');
    writeFileSync(config, drillConfig(options));
    const port = await freePort();
    const { subprocess, child } = startProcess(
      options.binary,
      [`--config.file=${config}`, `--storage.tsdb.path=${join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, output: 'pipe' },
    );
    let output = '';
    subprocess.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    subprocess.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const server = new Prometheus(`http://127.0.0.1:${port}`, child, directory, () => tail(output, 20));
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline && child.exitCode === null) {
      const ready = await fetch(`${server.url}/-/ready`, { signal: AbortSignal.timeout(2000) }).then((response) => response.ok).catch(() => false);
      if (ready) return server;
      await sleep(200);
    }
    await server.stop();
    throw new Error(`Prometheus did not become ready within 30 s:\n${tail(output, 20)}`);
  }

  async #get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  }

  /** The active (pending or firing) alerts. */
  async alerts(): Promise<ActiveAlert[]> {
    return (await this.#get<{ alerts: ActiveAlert[] }>('/api/v1/alerts')).alerts;
  }

  /** The active alert named `name` whose labels include `labels`, if any. */
  async alert(name: string, labels: Record<string, string> = {}): Promise<ActiveAlert | undefined> {
    return (await this.alerts()).find((alert) => alert.labels.alertname === name && Object.entries(labels).every(([label, value]) => alert.labels[label] === value));
  }

  /** Rule groups loaded (by file) and the rules whose last evaluation failed. */
  async rules(): Promise<{ files: string[]; errors: RuleError[] }> {
    const { groups } = await this.#get<{ groups: { name: string; file: string; rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules');
    return {
      files: [...new Set(groups.map((group) => group.file))].sort(),
      errors: groups.flatMap((group) => group.rules.filter((rule) => rule.health === 'err').map((rule) => ({ group: group.name, rule: rule.name, error: rule.lastError ?? '' }))),
    };
  }

  /** The value of an instant query that returns one sample, or undefined when it returns none. */
  async value(query: string): Promise<number | undefined> {
    const data = await this.#get<{ result: { value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(query)}`);
    const sample = data.result[0];
    return sample === undefined ? undefined : Number(sample.value[1]);
  }

  /** The last lines Prometheus logged. */
  output(): string {
    return this.#output();
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const exited = once(this.#child, 'exit');
      if ((await withDeadline(exited.then(() => true), 10_000, false)) === false) this.#child.kill('SIGKILL');
    }
    rmSync(this.#directory, { recursive: true, force: true });
  }
}
