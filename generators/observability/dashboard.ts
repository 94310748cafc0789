/**
 * The Grafana dashboard of the service, built from objects (Grafana dashboard
 * JSON model, schemaVersion 39): RED by route, saturation, SLO and error
 * budget. One `datasource` variable; every query uses `$__rate_interval`
 * where it takes a rate; every panel has a unit and a description.
 */
import type { Facts } from '../core/facts.ts';
import { errorBudget, errorRatioRecord } from '../service/alerts.ts';
import { MONITORING_ROOT } from './rules.ts';

export const DASHBOARD_DIRECTORY = `${MONITORING_ROOT}/grafana/dashboards`;
export const DASHBOARD_PROVISIONING = `${MONITORING_ROOT}/grafana/provisioning/dashboards/dashboards.yaml`;
export const DATASOURCE_PROVISIONING = `${MONITORING_ROOT}/grafana/provisioning/datasources/prometheus.yaml`;
/** Where Grafana reads the dashboard files (the provisioning `options.path`). */
export const DASHBOARD_MOUNT = '/var/lib/grafana/dashboards';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  type?: 'timeseries' | 'stat';
  queries: { expr: string; legend: string }[];
  width?: number;
}

/** Grafana's uid limit is 40 characters; the name keeps it stable across regenerations. */
export function dashboardUid(facts: Facts): string {
  return `${facts.name.slice(0, 36)}-red`;
}

/** The dashboard's file name under deploy/monitoring/grafana/dashboards/. */
export const dashboardFile = (facts: Facts) => `${DASHBOARD_DIRECTORY}/${facts.name}.json`;

function panelSpecs(facts: Facts): { row: string; panels: PanelSpec[] }[] {
  const job = `job="${facts.name}"`;
  const budget = errorBudget(facts.sloPercent);
  const saturation: PanelSpec[] = [
    { title: 'CPU', description: 'CPU seconds used per second, by instance (prom-client process_cpu_seconds_total).', unit: 'percentunit', queries: [{ expr: `sum by (instance) (rate(process_cpu_seconds_total{${job}}[$__rate_interval]))`, legend: '{{instance}}' }] },
    { title: 'Memory', description: 'Resident memory by instance (prom-client process_resident_memory_bytes).', unit: 'bytes', queries: [{ expr: `max by (instance) (process_resident_memory_bytes{${job}})`, legend: '{{instance}}' }] },
    { title: 'Event-loop lag p99', description: 'How long the event loop was blocked, 99th percentile (prom-client nodejs_eventloop_lag_p99_seconds).', unit: 's', queries: [{ expr: `max by (instance) (nodejs_eventloop_lag_p99_seconds{${job}})`, legend: '{{instance}}' }] },
  ];
  if (facts.hasPostgres) {
    saturation.push({
      title: 'Database pool',
      description: 'Active connections against the pool maximum, and queries waiting for a connection (src/db/pool.ts).',
      unit: 'short',
      queries: [
        { expr: `sum by (instance) (db_pool_connections{${job},state="active"})`, legend: 'active {{instance}}' },
        { expr: `max by (instance) (db_pool_max_connections{${job}})`, legend: 'max {{instance}}' },
        { expr: `sum by (instance) (db_pool_waiting_requests{${job}})`, legend: 'waiting {{instance}}' },
      ],
    });
  }
  return [
    {
      row: 'SLO and error budget',
      panels: [
        {
          title: 'Availability, 30 days',
          type: 'stat',
          description: `Share of requests not answered with 5xx over 30 days; the objective is ${facts.sloPercent} %.`,
          unit: 'percentunit',
          queries: [{ expr: `1 - sum(increase(http_requests_total{${job},status_code=~"5.."}[30d])) / sum(increase(http_requests_total{${job}}[30d]))`, legend: 'availability' }],
          width: 8,
        },
        {
          title: 'Error budget remaining, 30 days',
          type: 'stat',
          description: `Share of the 30-day error budget (${Number((budget * 100).toPrecision(6))} % of requests) not yet used.`,
          unit: 'percentunit',
          queries: [{ expr: `1 - (sum(increase(http_requests_total{${job},status_code=~"5.."}[30d])) / sum(increase(http_requests_total{${job}}[30d]))) / ${budget}`, legend: 'remaining' }],
          width: 8,
        },
        {
          title: 'Burn rate',
          description: 'How many times faster than sustainable the error budget burns, over 1 h and 6 h (pages at 14.4x and 6x).',
          unit: 'short',
          queries: [
            { expr: `${errorRatioRecord('1h')}{${job}} / ${budget}`, legend: '1h' },
            { expr: `${errorRatioRecord('6h')}{${job}} / ${budget}`, legend: '6h' },
          ],
          width: 8,
        },
      ],
    },
    {
      row: 'Requests (RED)',
      panels: [
        { title: 'Rate by route', description: 'Requests per second by route template (http_requests_total).', unit: 'reqps', queries: [{ expr: `sum by (route) (rate(http_requests_total{${job}}[$__rate_interval]))`, legend: '{{route}}' }] },
        {
          title: 'Errors by route',
          description: 'Share of requests answered with 5xx, by route template.',
          unit: 'percentunit',
          queries: [{ expr: `sum by (route) (rate(http_requests_total{${job},status_code=~"5.."}[$__rate_interval])) / sum by (route) (rate(http_requests_total{${job}}[$__rate_interval]))`, legend: '{{route}}' }],
        },
        {
          title: 'Duration by route',
          description: 'Request duration percentiles p50, p90 and p99 by route template (http_request_duration_seconds).',
          unit: 's',
          width: 24,
          queries: [0.5, 0.9, 0.99].map((quantile) => ({
            expr: `histogram_quantile(${quantile}, sum by (route, le) (rate(http_request_duration_seconds_bucket{${job}}[$__rate_interval])))`,
            legend: `p${Math.round(quantile * 100)} {{route}}`,
          })),
        },
      ],
    },
    { row: 'Saturation', panels: saturation },
  ];
}

/** The dashboard JSON object. */
export function dashboard(facts: Facts): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const { row, panels: specs } of panelSpecs(facts)) {
    panels.push({ id: id++, type: 'row', title: row, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    for (const spec of specs) {
      const width = spec.width ?? 12;
      if (x + width > 24) {
        x = 0;
        y += 8;
      }
      panels.push({
        id: id++,
        type: spec.type ?? 'timeseries',
        title: spec.title,
        description: spec.description,
        datasource: DATASOURCE,
        gridPos: { h: 8, w: width, x, y },
        fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
        options: spec.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } } : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
        targets: spec.queries.map((query, index) => ({ refId: String.fromCharCode(65 + index), datasource: DATASOURCE, expr: query.expr, legendFormat: query.legend })),
      });
      x += width;
    }
    y += 8;
  }
  return {
    uid: dashboardUid(facts),
    title: `${facts.title} service`,
    description: `RED metrics by route, saturation, and the ${facts.sloPercent} % availability SLO of ${facts.title}.`,
    tags: [facts.name, 'red', 'slo'],
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'utc',
    annotations: { list: [] },
    links: [],
    templating: {
      list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', hide: 0, refresh: 1, regex: '', options: [] }],
    },
    panels,
  };
}

/** Every PromQL expression of the dashboard's panels, with the panel title. */
export function dashboardQueries(board: Record<string, unknown>): { panel: string; expr: string }[] {
  const panels = (board.panels as { title: string; targets?: { expr: string }[] }[]) ?? [];
  return panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
}
