/**
 * What the k6 scripts call and measure, and what the service serves, read
 * from the generated sources: route registrations (`app.get('/path', ...)`)
 * with the prefix app.ts registers the item routes under, the OpenAPI path,
 * the requests of the scripts (`http.get(\`${BASE_URL}/path\`)`), and the
 * metrics named in `thresholds`.
 */

/** A request or route as "METHOD /path", with path parameters as ":name" or ":param". */
export type Endpoint = string;

const ROUTE = /\bapp\.(get|post|put|patch|delete|head|options)\s*(?:<[^>]*(?:<[^>]*>[^>]*)*>)?\(\s*(?:'([^']+)'|([A-Z_]+)\b)/g;

/** "/items/:id" → "/items/:param": scripts and routes name parameters differently. */
const normalise = (path: string) => path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':param');

/**
 * Routes of one source file: "GET /items/:param", ...; `constants` resolves
 * routes registered with a constant (OPENAPI_PATH).
 */
export function routesOf(source: string, prefix = '', constants: Readonly<Record<string, string>> = {}): Endpoint[] {
  const routes: Endpoint[] = [];
  for (const match of source.matchAll(ROUTE)) {
    const path = match[2] ?? constants[match[3] as string];
    if (path === undefined) throw new Error(`route registered with ${match[3] as string}, whose value is not known`);
    routes.push(`${(match[1] as string).toUpperCase()} ${normalise(`${prefix}${path}`)}`);
  }
  return routes;
}

/** The prefix app.ts registers the item routes under (`{ prefix: '/api/v1' }`). */
export function itemRoutesPrefix(appSource: string): string {
  const match = /registerItemRoutes\([\s\S]*?\{\s*prefix:\s*'([^']+)'\s*\}/.exec(appSource);
  if (!match) throw new Error('src/app.ts registers the item routes without a prefix option');
  return match[1] as string;
}

/** `export const NAME = '/value';` constants of a source file. */
export function pathConstants(source: string): Record<string, string> {
  return Object.fromEntries([...source.matchAll(/export const ([A-Z_]+) = '([^']+)';/g)].map((match) => [match[1] as string, match[2] as string]));
}

const K6_METHODS: Readonly<Record<string, string>> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', del: 'DELETE', head: 'HEAD', options: 'OPTIONS' };
const REQUEST = /\bhttp\.(get|post|put|patch|del|head|options|request)\(\s*(?:'([A-Z]+)',\s*)?`\$\{BASE_URL\}([^`?]*)/g;

/** Requests of a k6 script, with their 1-based line: `${expr}` path segments become ":param". */
export function scriptRequests(source: string): { endpoint: Endpoint; line: number }[] {
  const requests: { endpoint: Endpoint; line: number }[] = [];
  for (const match of source.matchAll(REQUEST)) {
    const method = match[1] === 'request' ? (match[2] ?? '') : (K6_METHODS[match[1] as string] as string);
    const path = (match[3] as string).replace(/\$\{[^}]+\}/g, ':param');
    requests.push({ endpoint: `${method} ${path === '' ? '/' : path}`, line: source.slice(0, match.index).split('\n').length });
  }
  return requests;
}

/** Every http.* call of a script (to catch requests the pattern above does not understand). */
export function httpCallCount(source: string): number {
  return [...source.matchAll(/\bhttp\.(get|post|put|patch|del|head|options|request|batch)\(/g)].length;
}

/**
 * k6's built-in metrics (https://grafana.com/docs/k6/latest/using-k6/metrics/reference/):
 * standard, HTTP, WebSocket and gRPC.
 */
export const K6_BUILT_IN_METRICS: ReadonlySet<string> = new Set([
  'checks',
  'data_received',
  'data_sent',
  'dropped_iterations',
  'iteration_duration',
  'iterations',
  'vus',
  'vus_max',
  'group_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_duration',
  'http_req_failed',
  'http_req_receiving',
  'http_req_sending',
  'http_req_tls_handshaking',
  'http_req_waiting',
  'http_reqs',
  'ws_connecting',
  'ws_msgs_received',
  'ws_msgs_sent',
  'ws_ping',
  'ws_session_duration',
  'ws_sessions',
  'grpc_req_duration',
]);

/**
 * Metric names used as keys of `thresholds` objects ("http_req_duration{name:x}"
 * → "http_req_duration"), with their 1-based line. Brackets inside values
 * (template literals, arrays, calls) are skipped by depth counting.
 */
export function thresholdMetrics(source: string): { metric: string; line: number }[] {
  const metrics: { metric: string; line: number }[] = [];
  for (const block of source.matchAll(/\bthresholds\s*(?:=|:)\s*\{/g)) {
    let depth = 0;
    let expectKey = true;
    for (let index = (block.index ?? 0) + block[0].length; index < source.length; index++) {
      const char = source[index] as string;
      if ('{[('.includes(char)) depth++;
      else if ('}])'.includes(char)) {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && char === ',') expectKey = true;
      else if (depth === 0 && expectKey && !/\s/.test(char)) {
        const key = /^(?:'([^']+)'|"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*))\s*:/.exec(source.slice(index));
        if (key) metrics.push({ metric: (key[1] ?? key[2] ?? key[3] ?? '').replace(/\{.*$/, ''), line: source.slice(0, index).split('\n').length });
        expectKey = false;
      }
    }
  }
  return metrics;
}
