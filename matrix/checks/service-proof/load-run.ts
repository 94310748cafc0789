/**
 * A short loopback load run of the k6 user journey (health, list, create,
 * read, delete) with autocannon, judged by the thresholds the load-test
 * feature's k6 scripts declare. k6 itself is AGPL and not run here; this
 * replays the same requests and mix from Node.js.
 *
 * The thresholds, the journey's paths and the virtual users are read from the
 * load-test templates (templates/load-test/load-tests/lib.js.ejs and load.js),
 * the one place they are declared, so they are never repeated here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { run } from '../../support/process.ts';

/** The entry point that runs a journey in a process of its own. */
const LOAD_CLIENT = join(import.meta.dirname, 'load-client.ts');

/** The load-test templates the thresholds and virtual users are read from. */
export const LOAD_TEST_TEMPLATES = join(import.meta.dirname, '..', '..', '..', 'templates', 'load-test', 'load-tests');

/** What a run must stay under: p95 request duration in milliseconds and the share of failed requests (0..1). */
export interface LoadThresholds {
  p95Ms: number;
  maxErrorRate: number;
}

/** The default of a `numberFromEnv('<name>', <default>)` call in a k6 script's source; throws when the script has none. */
export function envDefault(source: string, name: string): number {
  const match = new RegExp(`numberFromEnv\\('${name}', ([0-9.]+)\\)`).exec(source);
  if (!match?.[1]) throw new Error(`the k6 script declares no numberFromEnv('${name}', <default>)`);
  return Number(match[1]);
}

/** The thresholds of lib.js: `P95_MS` and `MAX_ERROR_RATE` defaults (k6 `http_req_duration: p(95)<…`, `http_req_failed: rate<…`). */
export function thresholdsOf(libSource: string): LoadThresholds {
  return { p95Ms: envDefault(libSource, 'P95_MS'), maxErrorRate: envDefault(libSource, 'MAX_ERROR_RATE') };
}

/** The thresholds and virtual users (load.js `VUS` default) of the load-test templates. */
export function declaredLoad(): LoadThresholds & { virtualUsers: number } {
  const lib = readFileSync(join(LOAD_TEST_TEMPLATES, 'lib.js.ejs'), 'utf8');
  const load = readFileSync(join(LOAD_TEST_TEMPLATES, 'load.js'), 'utf8');
  return { ...thresholdsOf(lib), virtualUsers: envDefault(load, 'VUS') };
}

export interface LoadRunOptions {
  /** e.g. http://127.0.0.1:3000 */
  base: string;
  /** The health route and the items collection, e.g. "/health" and "/api/v1/items". */
  healthPath: string;
  itemsPath: string;
  connections: number;
  durationSeconds: number;
}

/**
 * The figures of a run: requests answered, requests per second (mean), latency
 * in milliseconds (p50, p97.5, p99 from autocannon's histogram), and failed
 * requests (connection errors, timeouts and answers outside 2xx).
 */
export interface LoadFigures {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p97_5Ms: number;
  p99Ms: number;
  failed: number;
  errorRate: number;
}

interface JourneyContext {
  id?: string;
}

/**
 * Runs the journey in a Node.js process of its own (load-client.ts), as k6
 * runs apart from the pipeline that starts it: latencies measured in the
 * matrix's process would include its event-loop stalls (synchronous copies
 * of other checks, garbage collection of a large heap), not the service's.
 * Throws when the client does not exit 0 with its figures on stdout.
 */
export async function runJourney(options: LoadRunOptions): Promise<LoadFigures> {
  const result = await run(process.execPath, [LOAD_CLIENT, JSON.stringify(options)], { timeoutMs: (options.durationSeconds + 60) * 1000 });
  if (result.code !== 0) throw new Error(`the load client failed (${result.failure ?? `exit ${result.code}`}):\n${result.all.trim()}`);
  return JSON.parse(result.stdout) as LoadFigures;
}

/** The journey with autocannon in this process: each connection repeats health, list, create, read, delete. */
export async function runJourneyHere(options: LoadRunOptions): Promise<LoadFigures> {
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  let sequence = 0;
  const result = await autocannon({
    url: options.base,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [
      { method: 'GET', path: options.healthPath },
      { method: 'GET', path: `${options.itemsPath}?limit=20`, headers: json },
      {
        method: 'POST',
        path: options.itemsPath,
        headers: json,
        setupRequest: (request, context) => {
          (context as JourneyContext).id = undefined;
          sequence += 1;
          return { ...request, body: JSON.stringify({ name: `load-${process.pid}-${sequence}`, description: 'Created by the loopback load run.' }) };
        },
        onResponse: (status, body, context) => {
          if (status === 201) (context as JourneyContext).id = (JSON.parse(body) as { id: string }).id;
        },
      },
      // Without a created item the journey starts over (setupRequest returning nothing), as k6's does.
      { method: 'GET', path: options.itemsPath, headers: json, setupRequest: (request, context) => withItem(request, context, options.itemsPath) },
      { method: 'DELETE', path: options.itemsPath, setupRequest: (request, context) => withItem(request, context, options.itemsPath) },
    ],
  });
  const requests = result.requests.total;
  const failed = result.errors + result.timeouts + result.non2xx;
  return {
    requests,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p97_5Ms: result.latency.p97_5,
    p99Ms: result.latency.p99,
    failed,
    errorRate: requests + result.errors === 0 ? 1 : failed / (requests + result.errors),
  };
}

function withItem(request: autocannon.Request, context: object, itemsPath: string): autocannon.Request {
  const { id } = context as JourneyContext;
  return (id === undefined ? undefined : { ...request, path: `${itemsPath}/${id}` }) as autocannon.Request;
}

/**
 * Findings of a run against the thresholds. p95 is judged by p97.5, the
 * nearest percentile autocannon reports at or above p95 (so a pass is never
 * looser than k6's), and the error rate as k6's `http_req_failed`.
 */
export function judge(figures: LoadFigures, thresholds: LoadThresholds): string[] {
  const findings: string[] = [];
  if (figures.requests === 0) findings.push('the load run completed no request');
  if (!(figures.p97_5Ms < thresholds.p95Ms)) findings.push(`load run: p97.5 latency ${figures.p97_5Ms} ms is not below the k6 threshold p(95)<${thresholds.p95Ms} ms`);
  if (!(figures.errorRate < thresholds.maxErrorRate)) {
    findings.push(`load run: ${figures.failed} of ${figures.requests} requests failed (${(figures.errorRate * 100).toFixed(2)} %), not below the k6 threshold http_req_failed rate<${thresholds.maxErrorRate}`);
  }
  return findings;
}

/** One line of figures for logs and step names. */
export function describe(figures: LoadFigures): string {
  return `${figures.requests} requests, ${figures.requestsPerSecond} req/s, p50 ${figures.p50Ms} ms, p97.5 ${figures.p97_5Ms} ms, p99 ${figures.p99Ms} ms, ${figures.failed} failed`;
}

/** Good traffic for a drill: GET `url` from 4 connections for `seconds`; returns the number of 2xx answers. */
export async function goodBurst(url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: 4, duration: seconds });
  return result['2xx'];
}
