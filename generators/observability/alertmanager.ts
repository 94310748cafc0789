/**
 * Alertmanager configuration and its route test cases, built as data
 * (Alertmanager "Configuration": route, receivers, inhibit_rules with the
 * `matchers` syntax; every secret read from a file, never inline).
 */
import { yamlText } from '../core/yaml-text.ts';
import type { Facts } from '../core/facts.ts';
import { MONITORING_ROOT } from './rules.ts';

export const ALERTMANAGER_DIRECTORY = `${MONITORING_ROOT}/alertmanager`;
/** Where the secret files are mounted (Compose secrets; a Kubernetes Secret volume). */
export const SECRETS_DIRECTORY = '/etc/alertmanager/secrets';

export const RECEIVERS = { page: 'page', ticket: 'ticket', heartbeat: 'heartbeat', fallback: 'default' } as const;

/** One route test: the labels of an alert and the receivers it must reach (amtool config routes test --verify.receivers). */
export interface RouteTest {
  labels: Record<string, string>;
  receivers: string[];
}

/** The alertmanager.yml object. */
export function alertmanagerConfig(facts: Facts): Record<string, unknown> {
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: RECEIVERS.fallback,
      group_by: ['alertname', 'job', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { receiver: RECEIVERS.heartbeat, matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '1m' },
        { receiver: RECEIVERS.page, matchers: ['severity="critical"'], repeat_interval: '1h' },
        { receiver: RECEIVERS.ticket, matchers: ['severity="warning"'], repeat_interval: '12h' },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity=~"warning|info"'],
        equal: ['alertname', 'job', 'namespace'],
      },
      // A target that cannot be scraped makes the alerts on its metrics meaningless.
      {
        source_matchers: ['alertname="TargetDown"'],
        target_matchers: ['alertname!~"TargetDown|Watchdog"', `job="${facts.name}"`],
        equal: ['job'],
      },
    ],
    receivers: [
      { name: RECEIVERS.fallback },
      {
        name: RECEIVERS.page,
        pagerduty_configs: [{ routing_key_file: `${SECRETS_DIRECTORY}/pagerduty-routing-key`, send_resolved: true }],
      },
      {
        name: RECEIVERS.ticket,
        slack_configs: [
          {
            api_url_file: `${SECRETS_DIRECTORY}/slack-webhook-url`,
            channel: `#${facts.name}-alerts`,
            send_resolved: true,
            title: '{{ .CommonLabels.alertname }} ({{ .Status }})',
            text: '{{ range .Alerts }}{{ .Annotations.description }} Runbook: {{ .Annotations.runbook_url }}\n{{ end }}',
          },
        ],
      },
      // Opsgenie heartbeat: it alerts when the pings stop (the heartbeat name is not secret; the API key is).
      {
        name: RECEIVERS.heartbeat,
        webhook_configs: [
          {
            url: `https://api.opsgenie.com/v2/heartbeats/${facts.name}-watchdog/ping`,
            send_resolved: false,
            http_config: { authorization: { type: 'GenieKey', credentials_file: `${SECRETS_DIRECTORY}/opsgenie-api-key` } },
          },
        ],
      },
    ],
  };
}

/** The route cases: each severity reaches its receiver, the Watchdog only the heartbeat. */
export function routeTests(facts: Facts): RouteTest[] {
  return [
    { labels: { alertname: 'Watchdog', severity: 'info' }, receivers: [RECEIVERS.heartbeat] },
    { labels: { alertname: 'ErrorBudgetBurnFast', severity: 'critical', job: facts.name }, receivers: [RECEIVERS.page] },
    { labels: { alertname: 'ErrorBudgetBurnSlow', severity: 'warning', job: facts.name }, receivers: [RECEIVERS.ticket] },
    { labels: { alertname: 'SomethingInformational', severity: 'info' }, receivers: [RECEIVERS.fallback] },
  ];
}

/** alertmanager.yml and route-tests.yaml. */
export function alertmanagerFiles(facts: Facts): Record<string, string> {
  return {
    [`${ALERTMANAGER_DIRECTORY}/alertmanager.yml`]: `# Alertmanager for ${facts.title}: critical pages, warning opens a ticket, Watchdog feeds the heartbeat.\n# Secrets are files under ${SECRETS_DIRECTORY} (docs/operations.md); checked by amtool check-config.\n${yamlText(alertmanagerConfig(facts))}`,
    [`${ALERTMANAGER_DIRECTORY}/route-tests.yaml`]: `# Route cases: amtool config routes test --config.file=alertmanager.yml --verify.receivers=<receivers> <labels>\n${yamlText({ tests: routeTests(facts) })}`,
  };
}
