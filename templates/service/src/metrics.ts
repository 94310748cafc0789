/**
 * Prometheus metrics: process and event-loop metrics from prom-client, and the
 * RED metrics of every request labelled with the route template (never the
 * raw URL, which would make label values unbounded).
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const HTTP_LABELS = ['method', 'route', 'status_code'] as const;
type HttpLabel = (typeof HTTP_LABELS)[number];

export interface Metrics {
  registry: Registry;
  httpRequestsTotal: Counter<HttpLabel>;
  httpRequestDuration: Histogram<HttpLabel>;
}

/** Label for requests that matched no route, so 404 scans stay one series. */
export const UNMATCHED_ROUTE = 'unmatched';

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestsTotal: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests completed, by method, route template and status code.',
      labelNames: HTTP_LABELS,
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, from receipt to the end of the response.',
      labelNames: HTTP_LABELS,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode),
    };
    metrics.httpRequestsTotal.inc(labels);
    metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
