/**
 * The k6 load-test scripts, proven without running k6 (AGPL, not used here):
 * - a strict type check of every script against @types/k6 with
 *   `tsc --checkJs --strict` (options, checks, response fields, http calls);
 * - every request a script makes (method and path) is a route of the service
 *   (the routes its OpenAPI document is built from: src/items/routes.ts
 *   under the prefix of src/app.ts, src/health.ts, src/app.ts, src/openapi.ts);
 * - every metric a threshold names is a k6 built-in metric.
 *
 *   node matrix/checks/k6-scripts.ts <project-dir>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Check, Finding } from '../check.ts';
import { packageVersion } from '../check-helpers.ts';
import { runStandalone } from '../support/direct-run.ts';
import { runTool } from '../support/process.ts';
import { httpCallCount, itemRoutesPrefix, K6_BUILT_IN_METRICS, pathConstants, routesOf, scriptRequests, thresholdMetrics } from './k6-scripts/endpoints.ts';

const REPOSITORY = join(import.meta.dirname, '..', '..');
const TSC = join(REPOSITORY, 'node_modules', '.bin', 'tsc');
const TYPE_ROOTS = join(REPOSITORY, 'node_modules', '@types');
const SCRIPTS = 'load-tests';

/** The service's routes as "METHOD /path" (parameters as ":param"). */
export function serviceRoutes(read: (path: string) => string): Set<string> {
  const app = read('src/app.ts');
  const openapi = read('src/openapi.ts');
  return new Set([
    ...routesOf(read('src/items/routes.ts'), itemRoutesPrefix(app)),
    ...routesOf(read('src/health.ts')),
    ...routesOf(app),
    ...routesOf(openapi, '', pathConstants(openapi)),
  ]);
}

/** Findings of the route and metric cross-checks for the scripts in `directory`. */
export function endpointFindings(directory: string, scripts: readonly string[]): Finding[] {
  const routes = serviceRoutes((path) => readFileSync(join(directory, path), 'utf8'));
  const findings: Finding[] = [];
  for (const script of scripts) {
    const source = readFileSync(join(directory, script), 'utf8');
    const requests = scriptRequests(source);
    if (requests.length !== httpCallCount(source)) findings.push({ file: script, message: `${httpCallCount(source)} http calls, of which only ${requests.length} name a path as \`\${BASE_URL}/...\`` });
    for (const { endpoint, line } of requests) {
      if (!routes.has(endpoint)) findings.push({ file: script, message: `line ${line}: ${endpoint} is not a route of the service (routes: ${[...routes].sort().join(', ')})` });
    }
    for (const { metric, line } of thresholdMetrics(source)) {
      if (!K6_BUILT_IN_METRICS.has(metric)) findings.push({ file: script, message: `line ${line}: threshold on "${metric}", which is not a k6 built-in metric` });
    }
  }
  return findings;
}

const check: Check = {
  name: 'k6-scripts',
  inputs: [`${SCRIPTS}/*.js`, 'src/app.ts', 'src/health.ts', 'src/openapi.ts', 'src/items/routes.ts'],
  appliesTo: [`${SCRIPTS}/*.js`],
  tool: async () => `tsc ${packageVersion('typescript')} with @types/k6 ${packageVersion('@types/k6')}`,
  async run(directory) {
    const scripts = readdirSync(join(directory, SCRIPTS))
      .filter((name) => name.endsWith('.js'))
      .sort()
      .map((name) => `${SCRIPTS}/${name}`);
    const typeCheck = await runTool(
      TSC,
      ['--ignoreConfig', '--noEmit', '--pretty', 'false', '--allowJs', '--checkJs', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--types', 'k6', '--typeRoots', TYPE_ROOTS, ...scripts],
      { cwd: directory, timeoutMs: 120_000 },
    );
    const findings: Finding[] = [];
    for (const line of `${typeCheck.stdout}\n${typeCheck.stderr}`.split('\n')) {
      const match = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
      if (match) findings.push({ file: match[1] as string, message: `line ${match[2] as string}: ${match[3] as string}` });
    }
    if (typeCheck.code !== 0 && findings.length === 0) throw new Error(`tsc exited ${typeCheck.code} without diagnostics:\n${typeCheck.stdout}${typeCheck.stderr}`);
    return [...findings, ...endpointFindings(directory, scripts)];
  },
};

export default check;

if (import.meta.main) await runStandalone(check);
