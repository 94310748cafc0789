/**
 * Observability: renders the alerts and recording rules other features
 * declare into Prometheus rule files with promtool unit tests, one runbook per
 * alert, an Alertmanager configuration with route tests, a Grafana dashboard
 * provisioned from file, the `monitoring` Kustomize component on Kubernetes
 * and the `monitoring` profile of compose.production.yaml with Compose; contributes docs/operations.md and the SLO/alerting ADR.
 */
import type { Feature } from '../core/feature.ts';
import { jsonText } from '../core/json-text.ts';
import { yamlFile } from '../core/yaml-text.ts';
import { composeServicesSlot } from '../compose/slots.ts';
import { adrsSlot, alertsSlot, docsSlot, gitignoreSlot, kustomizeSlot, readmeSlot, recordingRulesSlot } from '../core/slots.ts';
import { observabilityAdr } from './adr.ts';
import { alertmanagerFiles } from './alertmanager.ts';
import { composeMonitoringFiles, monitoringServices } from './compose.ts';
import { DASHBOARD_MOUNT, DASHBOARD_PROVISIONING, dashboard, dashboardFile, DATASOURCE_PROVISIONING } from './dashboard.ts';
import { COMPONENT, COMPONENT_RESOURCES, monitoringComponent } from './kubernetes.ts';
import { ruleFiles, ruleGroups, testFiles } from './rules.ts';
import { runbookFiles } from './runbooks.ts';

const yaml = (header: string, document: object) => yamlFile(header, [document]);

export const observabilityFeature: Feature = {
  name: 'observability',
  summary: 'Prometheus rules with promtool tests, runbooks, Alertmanager routing, a Grafana dashboard and the Kubernetes monitoring component.',
  applies: (facts) => facts.hasObservability,
  reads: [alertsSlot, recordingRulesSlot],
  contribute: ({ facts, part }) => [
    docsSlot.of(
      ...(facts.deploysToKubernetes ? [{ page: 'docs/deployment.md', title: 'Monitoring in the cluster', order: 25, body: part('deployment-monitoring.md') }] : []),
      { page: 'docs/operations.md', title: 'Service level objective', order: 10, body: part('operations-slo.md') },
      { page: 'docs/operations.md', title: 'What pages and what opens a ticket', order: 20, body: part('operations-alerting.md') },
      { page: 'docs/operations.md', title: 'On call', order: 30, body: part('operations-on-call.md') },
      { page: 'docs/operations.md', title: 'Procedures', order: 40, body: part('operations-procedures.md') },
      { page: 'docs/operations.md', title: 'Monitoring stack', order: 50, body: part('operations-stack.md') },
      { page: 'docs/operations.md', title: 'Logs', order: 60, body: part('operations-logs.md') },
      { page: 'docs/operations.md', title: 'Post-incident review', order: 70, body: part('operations-post-incident.md') },
    ),
    adrsSlot.of(observabilityAdr(facts)),
    readmeSlot.of({ title: 'Monitoring and alerts', order: 60, body: part('readme.md') }),
    ...(facts.deploysToKubernetes ? [kustomizeSlot.of({ kustomization: COMPONENT, resources: [...COMPONENT_RESOURCES] })] : []),
    // The monitoring profile of compose.production.yaml; its secrets are files under secrets/, never committed.
    ...(facts.deploysWithCompose ? [composeServicesSlot.of(...monitoringServices(facts)), gitignoreSlot.of('secrets/')] : []),
  ],
  files: (facts, assembled) => {
    const alerts = assembled.get(alertsSlot);
    const groups = ruleGroups(facts, alerts, assembled.get(recordingRulesSlot));
    const rules = ruleFiles(facts, groups);
    const board = dashboard(facts);
    const files: Record<string, string> = {
      ...rules,
      ...testFiles(facts, alerts),
      ...runbookFiles(alerts, (alert) => `${alert.group}.yaml`),
      ...alertmanagerFiles(facts),
      [dashboardFile(facts)]: jsonText(board),
      [DASHBOARD_PROVISIONING]: yaml('Grafana loads the dashboards of this directory from files (provisioning); edits in the UI are not kept.', {
        apiVersion: 1,
        providers: [{ name: facts.name, folder: facts.title, type: 'file', disableDeletion: true, allowUiUpdates: false, updateIntervalSeconds: 60, options: { path: DASHBOARD_MOUNT, foldersFromFilesStructure: false } }],
      }),
      [DATASOURCE_PROVISIONING]: yaml('The Prometheus data source the dashboard\'s datasource variable offers.', {
        apiVersion: 1,
        datasources: [{ name: 'Prometheus', type: 'prometheus', uid: 'prometheus', access: 'proxy', url: 'http://prometheus:9090', isDefault: true, editable: false }],
      }),
    };
    if (facts.deploysToKubernetes) Object.assign(files, monitoringComponent(facts, groups, JSON.stringify(board, null, 2)).files);
    if (facts.deploysWithCompose) Object.assign(files, composeMonitoringFiles(facts));
    return files;
  },
};
