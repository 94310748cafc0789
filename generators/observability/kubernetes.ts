/**
 * The `monitoring` Kustomize component: a ServiceMonitor for the app's
 * /metrics, the rule groups as a PrometheusRule (Prometheus Operator CRDs,
 * monitoring.coreos.com/v1), and the dashboard in a ConfigMap labelled
 * grafana_dashboard: "1" for the Grafana sidecar of kube-prometheus-stack.
 */
import type { Facts } from '../core/facts.ts';
import { manifestYaml } from '../kubernetes/feature.ts';
import type { RuleGroup } from './rules.ts';

export const COMPONENT = 'components/monitoring';
const DIRECTORY = `deploy/kubernetes/${COMPONENT}`;
/** The component's manifest files, as its kustomization lists them. */
export const COMPONENT_RESOURCES = ['dashboard.yaml', 'prometheusrule.yaml', 'servicemonitor.yaml'] as const;

/** The component's manifests by project path. */
export function monitoringComponent(facts: Facts, groups: readonly RuleGroup[], dashboardJson: string): { files: Record<string, string> } {
  const files: Record<string, string> = {
    [`${DIRECTORY}/servicemonitor.yaml`]: manifestYaml(`Prometheus Operator scrapes ${facts.paths.metrics} of every pod behind the Service (job="${facts.name}").`, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: facts.name },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/part-of': facts.name } },
        endpoints: [{ port: 'http', path: facts.paths.metrics, interval: '30s', scrapeTimeout: '10s' }],
      },
    }),
    [`${DIRECTORY}/prometheusrule.yaml`]: manifestYaml('The rule groups of deploy/monitoring/prometheus/rules, as the Prometheus Operator loads them.', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: facts.name },
      spec: { groups: groups.map((group) => ({ name: group.name, rules: group.rules })) },
    }),
    [`${DIRECTORY}/dashboard.yaml`]: manifestYaml('The Grafana dashboard of deploy/monitoring/grafana/dashboards, picked up by the Grafana sidecar (label grafana_dashboard).', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${facts.name}-dashboard`, labels: { grafana_dashboard: '1' } },
      data: { [`${facts.name}.json`]: dashboardJson },
    }),
  };
  return { files };
}
