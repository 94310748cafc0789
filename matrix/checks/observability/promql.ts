/**
 * PromQL helpers of the observability checks, on the Prometheus project's own
 * grammar (@prometheus-io/lezer-promql, the parser of the Prometheus UI).
 */
import { parser } from '@prometheus-io/lezer-promql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ParsedExpression {
  /** Metric names the expression selects (vector and matrix selectors), sorted, unique. */
  metrics: string[];
  /** Character offsets where the grammar found an error; empty when the expression parses. */
  errors: number[];
}

/** The metric names an expression reads and the offsets of any syntax errors. */
export function parseExpression(expr: string): ParsedExpression {
  const metrics = new Set<string>();
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.add(expr.slice(node.from, node.to));
    },
  });
  return { metrics: [...metrics].sort(), errors };
}

/** The metrics of the standard exporters (exporter-metrics.json): metric name → exporter. */
export function exporterMetrics(): Map<string, string> {
  const catalogue = JSON.parse(readFileSync(join(import.meta.dirname, 'exporter-metrics.json'), 'utf8')) as Record<string, { metrics?: string[] }>;
  const result = new Map<string, string>();
  for (const [exporter, entry] of Object.entries(catalogue)) for (const metric of entry.metrics ?? []) result.set(metric, exporter);
  return result;
}

const REGISTRATION = /new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '([a-zA-Z_:][a-zA-Z0-9_:]*)'/g;

/**
 * The metrics the app registers with prom-client in its sources: a
 * Histogram's series are <name>_bucket, _sum and _count, a Summary's <name>,
 * _sum and _count.
 */
export function appMetrics(sources: readonly string[]): Set<string> {
  const result = new Set<string>();
  for (const source of sources) {
    for (const [, kind, name] of source.matchAll(REGISTRATION)) {
      if (kind === 'Histogram') for (const suffix of ['_bucket', '_sum', '_count']) result.add(`${name}${suffix}`);
      else if (kind === 'Summary') for (const suffix of ['', '_sum', '_count']) result.add(`${name}${suffix}`);
      else result.add(name as string);
    }
  }
  return result;
}
