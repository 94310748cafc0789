/**
 * The alerts whose causes the service owns: SLO burn rate (multi-window,
 * multi-burn-rate, after the Google SRE Workbook, "Alerting on SLOs", table 5-8),
 * latency, scrape target down or absent, event-loop lag, memory near its
 * limit, readiness, database pool saturation, and — for the dependencies and
 * platform chosen — crash loops and OOM kills (kube-state-metrics), Postgres
 * (postgres_exporter), Redis (redis_exporter), certificate expiry
 * (cert-manager on Kubernetes, blackbox_exporter with Compose), plus the
 * always-firing Watchdog. Each alert carries its promtool cases and runbook.
 *
 * Metric names are only those the app exports (src/metrics.ts, prom-client's
 * default metrics, src/db/pool.ts, src/redis.ts) or that a named standard
 * exporter documents (matrix/checks/observability/exporter-metrics.json).
 */
import type { Facts } from '../core/facts.ts';
import type { AlertCase, AlertDeclaration, RecordingRule, Runbook } from '../core/slots.ts';

/** A burn-rate alert window pair: both windows' error ratios must exceed `factor` × error budget. */
export interface BurnWindow {
  long: string;
  short: string;
  /** Burn rate: how many times faster than "exactly used up at the end of the period" the budget burns. */
  factor: number;
}

/** Paging windows: 2 % of a 30-day budget in 1 h, 5 % in 6 h (SRE Workbook table 5-8). */
export const PAGE_WINDOWS: readonly BurnWindow[] = [
  { long: '1h', short: '5m', factor: 14.4 },
  { long: '6h', short: '30m', factor: 6 },
];
/** Ticket windows: 10 % of a 30-day budget in 3 d, or in 1 d at 3× (SRE Workbook table 5-8). */
export const TICKET_WINDOWS: readonly BurnWindow[] = [
  { long: '1d', short: '2h', factor: 3 },
  { long: '3d', short: '6h', factor: 1 },
];

const MINUTES: Record<string, number> = { '5m': 5, '30m': 30, '1h': 60, '2h': 120, '6h': 360, '1d': 1440, '3d': 4320 };

/** The error budget as a ratio, e.g. 0.001 for 99.9 %; rounded so 100 - 99.9 prints as 0.001. */
export function errorBudget(sloPercent: number): number {
  return Number(((100 - sloPercent) / 100).toPrecision(6));
}

/** The recording rule name of the error ratio over one window. */
export const errorRatioRecord = (window: string) => `job:slo_errors_per_request:ratio_rate${window}`;

/** The Prometheus job the app is scraped as (ServiceMonitor: the Service name; Compose: the scrape job). */
const job = (facts: Facts) => `job="${facts.name}"`;

/** Error ratios (5xx / all requests) per job over every window a burn-rate alert uses. */
export function sliRecordingRules(facts: Facts): RecordingRule[] {
  const windows = [...new Set([...PAGE_WINDOWS, ...TICKET_WINDOWS].flatMap((window) => [window.long, window.short]))].sort((a, b) => (MINUTES[a] ?? 0) - (MINUTES[b] ?? 0));
  return windows.map((window) => ({
    group: 'slo',
    record: errorRatioRecord(window),
    expr: `sum by (job) (rate(http_requests_total{${job(facts)},status_code=~"5.."}[${window}])) / sum by (job) (rate(http_requests_total{${job(facts)}}[${window}]))`,
  }));
}

/** Windows whose threshold is reachable: factor × budget must stay below an error ratio of 1. */
const reachable = (windows: readonly BurnWindow[], budget: number) => windows.filter((window) => window.factor * budget < 1);

function burnExpr(windows: readonly BurnWindow[], budget: number): string {
  return reachable(windows, budget)
    .map((window) => `(${errorRatioRecord(window.long)} > ${window.factor} * ${budget} and ${errorRatioRecord(window.short)} > ${window.factor} * ${budget})`)
    .join(' or ');
}

/**
 * A case with `ratio` errors per request during the last `window` before
 * evaluation and none before, 1000 requests a minute.
 */
function burnCase(facts: Facts, name: string, window: string, ratio: number, intervalMinutes: number, evalMinutes: number): AlertCase {
  const steps = evalMinutes / intervalMinutes;
  const quietSteps = (evalMinutes - (MINUTES[window] ?? 0)) / intervalMinutes;
  const perStep = 1000 * intervalMinutes;
  const errors = Number((perStep * ratio).toFixed(4));
  const good = Number((perStep - errors).toFixed(4));
  return {
    name,
    interval: `${intervalMinutes}m`,
    inputSeries: [
      { series: `http_requests_total{${job(facts)},method="GET",route="/api/v1/items",status_code="200"}`, values: `0+${good}x${steps}` },
      { series: `http_requests_total{${job(facts)},method="GET",route="/api/v1/items",status_code="500"}`, values: `0x${quietSteps} 0+${errors}x${steps - quietSteps}` },
    ],
    evalTime: `${evalMinutes}m`,
    expectedLabels: { job: facts.name },
  };
}

function burnCases(facts: Facts, windows: readonly BurnWindow[], budget: number, intervalMinutes: number): { firing: AlertCase[]; notFiring: AlertCase[] } {
  const evalMinutes = Math.max(...windows.map((window) => MINUTES[window.long] ?? 0)) + 60;
  const firing: AlertCase[] = [];
  const notFiring: AlertCase[] = [];
  for (const window of reachable(windows, budget)) {
    const threshold = window.factor * budget;
    const above = Math.min(threshold * 1.1, (threshold + 1) / 2);
    firing.push(burnCase(facts, `${window.factor}x budget burn over ${window.long} and ${window.short} fires`, window.long, above, intervalMinutes, evalMinutes));
    notFiring.push(burnCase(facts, `just below ${window.factor}x budget burn over ${window.long} does not fire`, window.long, threshold * 0.97, intervalMinutes, evalMinutes));
  }
  return { firing, notFiring };
}

/** Shell commands a runbook gives, for the deploy targets chosen. */
interface Shell {
  kubernetes?: string;
  compose?: string;
}

function commands(facts: Facts, shell: Shell): string {
  const blocks: string[] = [];
  if (facts.deploysToKubernetes && shell.kubernetes) blocks.push(`On Kubernetes (namespace \`${facts.namespace}-production\`):\n\n\`\`\`sh\n${shell.kubernetes.trim()}\n\`\`\``);
  if (facts.deploysWithCompose && shell.compose) blocks.push(`With Compose (on the host, in the project directory):\n\n\`\`\`sh\n${shell.compose.trim()}\n\`\`\``);
  return blocks.join('\n\n');
}

const ns = (facts: Facts) => `${facts.namespace}-production`;
const composeCmd = 'docker compose --env-file .env.production -f compose.production.yaml';

function runbook(facts: Facts, parts: { meaning: string; impact: string; diagnosis: string; diagnose: Shell; mitigation: string; mitigate: Shell }): Runbook {
  const join = (text: string, shell: Shell) => [text, commands(facts, shell)].filter((part) => part !== '').join('\n\n');
  return { meaning: parts.meaning, impact: parts.impact, diagnosis: join(parts.diagnosis, parts.diagnose), mitigation: join(parts.mitigation, parts.mitigate) };
}

/** Logs and recent deploys: the first look for most app alerts. */
const logsShell = (facts: Facts): Shell => ({
  kubernetes: `kubectl -n ${ns(facts)} get pods -l app.kubernetes.io/name=${facts.name}\nkubectl -n ${ns(facts)} logs deploy/${facts.name} --since=30m | grep -E '"level":(50|60)'\nkubectl -n ${ns(facts)} rollout history deploy/${facts.name}`,
  compose: `${composeCmd} ps\n${composeCmd} logs --since 30m app | grep -E '"level":(50|60)'`,
});

const rollbackShell = (facts: Facts): Shell => ({
  kubernetes: `kubectl -n ${ns(facts)} rollout undo deploy/${facts.name}\nkubectl -n ${ns(facts)} rollout status deploy/${facts.name} --timeout=5m`,
  compose: `# Set TAG in .env.production to the previous release, then:\n${composeCmd} up -d --wait app`,
});

const series = (name: string, values: string) => ({ series: name, values });

/** Every alert the service declares for these facts; none without observability. */
export function serviceAlerts(facts: Facts): AlertDeclaration[] {
  if (!facts.hasObservability) return [];
  const budget = errorBudget(facts.sloPercent);
  const slo = `${facts.sloPercent}%`;
  const app = job(facts);
  const alerts: AlertDeclaration[] = [];
  const fast = burnCases(facts, PAGE_WINDOWS, budget, 1);
  const slow = burnCases(facts, TICKET_WINDOWS, budget, 30);
  alerts.push(
    {
      name: 'ErrorBudgetBurnFast',
      group: 'slo',
      expr: burnExpr(PAGE_WINDOWS, budget),
      severity: 'critical',
      labels: { notify: 'page' },
      summary: `${facts.title} is burning its ${slo} availability error budget fast.`,
      description: `{{ $labels.job }} answers so many requests with 5xx that the 30-day error budget burns at 6x or more over 6 h and 30 min, or at 14.4x over 1 h and 5 min (gone in 2 days).`,
      ...fast,
      testEvaluationInterval: '5m',
      runbook: runbook(facts, {
        meaning: `Over both a long and a short window (1 h and 5 min at 14.4x, or 6 h and 30 min at 6x), the share of requests answered with 5xx is so high that the ${slo} availability objective's 30-day error budget (${Number((budget * 100).toPrecision(6))} % of requests) will be used up within days.`,
        impact: 'Users get errors now. At 14.4x, 2 % of the month\'s budget goes every hour; at 6x, 5 % every 6 hours.',
        diagnosis: 'Find which routes fail and since when (Grafana dashboard, "Errors by route"), then whether a deploy, a dependency or load changed at that time.',
        diagnose: logsShell(facts),
        mitigation: 'Roll back if a deploy started it; otherwise fix or fail over the failing dependency. Spending the budget on a known cause is a decision for the on-call engineer to record (docs/operations.md).',
        mitigate: rollbackShell(facts),
      }),
    },
    {
      name: 'ErrorBudgetBurnSlow',
      group: 'slo',
      expr: burnExpr(TICKET_WINDOWS, budget),
      severity: 'warning',
      labels: { notify: 'ticket' },
      summary: `${facts.title} is using its ${slo} availability error budget faster than it lasts.`,
      description: `{{ $labels.job }} answers enough requests with 5xx to use the 30-day error budget at 3x over 1 d and 2 h, or at 1x over 3 d and 6 h.`,
      ...slow,
      testEvaluationInterval: '30m',
      runbook: runbook(facts, {
        meaning: `Over 3 days (confirmed over 6 h) the 5xx ratio is above the ${slo} objective's budget, or over 1 day (confirmed over 2 h) at 3 times it: at this pace the 30-day budget runs out before the period ends.`,
        impact: 'A steady share of requests fails. Nobody needs to be woken, but the budget policy applies: reliability work comes before features once it is spent.',
        diagnosis: 'Look for the routes with the most 5xx over the last days and for errors that repeat in the logs.',
        diagnose: logsShell(facts),
        mitigation: 'Open a ticket for the cause, fix it in working hours, and follow the error-budget policy in docs/operations.md.',
        mitigate: {},
      }),
    },
  );
  alerts.push(
    {
      name: 'HighRequestLatency',
      group: 'app',
      expr: `histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket{${app}}[5m]))) > 1`,
      for: '10m',
      severity: 'warning',
      summary: `${facts.title} answers slowly (p99 above 1 s).`,
      description: '{{ $labels.job }}: the 99th percentile request duration has been above 1 s for 10 minutes.',
      firing: [
        {
          name: 'every request takes about 2.5 s',
          inputSeries: [
            series(`http_request_duration_seconds_bucket{${app},le="1"}`, '0x30'),
            series(`http_request_duration_seconds_bucket{${app},le="2.5"}`, '0+100x30'),
            series(`http_request_duration_seconds_bucket{${app},le="+Inf"}`, '0+100x30'),
          ],
          evalTime: '25m',
          expectedLabels: { job: facts.name },
        },
      ],
      notFiring: [
        {
          name: 'requests finish within 0.25 s',
          inputSeries: [
            series(`http_request_duration_seconds_bucket{${app},le="0.25"}`, '0+100x30'),
            series(`http_request_duration_seconds_bucket{${app},le="1"}`, '0+100x30'),
            series(`http_request_duration_seconds_bucket{${app},le="+Inf"}`, '0+100x30'),
          ],
          evalTime: '25m',
        },
      ],
      runbook: runbook(facts, {
        meaning: 'For 10 minutes, the slowest 1 % of requests took longer than 1 second (histogram `http_request_duration_seconds`).',
        impact: 'Clients wait, may time out and retry, which adds load.',
        diagnosis: 'Check which routes are slow (dashboard "Duration by route"), CPU and event-loop lag, and the database pool if there is one.',
        diagnose: logsShell(facts),
        mitigation: 'Scale out if the service is saturated (on Kubernetes the HorizontalPodAutoscaler adds replicas up to its maximum; with Compose raise the CPU limit or move to a larger host); roll back if a deploy made it slower.',
        mitigate: {
          kubernetes: `kubectl -n ${ns(facts)} get hpa ${facts.name}\nkubectl -n ${ns(facts)} top pods -l app.kubernetes.io/name=${facts.name}`,
          compose: `docker stats --no-stream $(${composeCmd} ps --quiet app)`,
        },
      }),
    },
    {
      name: 'TargetDown',
      group: 'app',
      expr: `up{${app}} == 0 or absent(up{${app}})`,
      for: '5m',
      severity: 'critical',
      summary: `Prometheus cannot scrape ${facts.title}.`,
      description: '{{ $labels.job }}: an instance has not answered /metrics for 5 minutes, or no instance is known.',
      firing: [
        { name: 'the target is down', inputSeries: [series(`up{${app},instance="10.0.0.1:${facts.appPort}"}`, '0x15')], evalTime: '10m', expectedLabels: { job: facts.name, instance: `10.0.0.1:${facts.appPort}` } },
        { name: 'no target is scraped at all', inputSeries: [], evalTime: '10m', expectedLabels: { job: facts.name } },
      ],
      notFiring: [{ name: 'the target is up', inputSeries: [series(`up{${app},instance="10.0.0.1:${facts.appPort}"}`, '1x15')], evalTime: '10m' }],
      runbook: runbook(facts, {
        meaning: `Prometheus failed to scrape ${facts.paths.metrics} of an instance for 5 minutes, or finds no instance of the job at all.`,
        impact: 'The service may be down; at the least, it runs unobserved: no other alert of it can fire.',
        diagnosis: 'Check that the pods or containers run and answer on their port, and that Prometheus may reach them (network policy, service discovery).',
        diagnose: {
          kubernetes: `kubectl -n ${ns(facts)} get pods,endpoints -l app.kubernetes.io/name=${facts.name}\nkubectl -n ${ns(facts)} get servicemonitor ${facts.name} -o yaml`,
          compose: `${composeCmd} ps app\n${composeCmd} exec app node -e "fetch('http://127.0.0.1:${facts.appPort}${facts.paths.metrics}').then((r) => console.log(r.status))"`,
        },
        mitigation: 'Restart or roll back the service if it is down; fix the scrape configuration if only monitoring lost it.',
        mitigate: rollbackShell(facts),
      }),
    },
    {
      name: 'EventLoopLagHigh',
      group: 'app',
      expr: `nodejs_eventloop_lag_p99_seconds{${app}} > 0.2`,
      for: '10m',
      severity: 'warning',
      summary: `${facts.title}'s event loop is blocked.`,
      description: '{{ $labels.job }} {{ $labels.instance }}: event-loop lag p99 has been above 200 ms for 10 minutes.',
      firing: [{ name: 'lag of 0.5 s', inputSeries: [series(`nodejs_eventloop_lag_p99_seconds{${app},instance="a"}`, '0.5x20')], evalTime: '15m', expectedLabels: { job: facts.name, instance: 'a' } }],
      notFiring: [{ name: 'lag of 20 ms', inputSeries: [series(`nodejs_eventloop_lag_p99_seconds{${app},instance="a"}`, '0.02x20')], evalTime: '15m' }],
      runbook: runbook(facts, {
        meaning: 'For 10 minutes, the Node.js event loop of an instance was blocked for more than 200 ms at the 99th percentile (prom-client `nodejs_eventloop_lag_p99_seconds`).',
        impact: 'Every request on that instance waits, including health checks: the instance may be taken out of rotation or restarted.',
        diagnosis: 'Look for CPU-bound work (large JSON, synchronous crypto, regular expressions) on the slow routes, and for CPU throttling.',
        diagnose: logsShell(facts),
        mitigation: 'Scale out to spread load; move the CPU-bound work off the request path.',
        mitigate: {},
      }),
    },
  );
  if (facts.deploysToKubernetes) {
    alerts.push(
      {
        name: 'MemoryNearLimit',
        group: 'app',
        expr: `max by (namespace, pod) (process_resident_memory_bytes{${app}}) / on (namespace, pod) max by (namespace, pod) (kube_pod_container_resource_limits{resource="memory",container="app"}) > 0.9`,
        for: '15m',
        severity: 'warning',
        summary: `${facts.title} uses more than 90 % of its memory limit.`,
        description: '{{ $labels.namespace }}/{{ $labels.pod }} has used more than 90 % of its memory limit for 15 minutes.',
        firing: [
          {
            name: 'resident memory at 95 % of the limit',
            inputSeries: [
              series(`process_resident_memory_bytes{${app},namespace="${ns(facts)}",pod="p1"}`, '486000000x20'),
              series(`kube_pod_container_resource_limits{resource="memory",container="app",namespace="${ns(facts)}",pod="p1"}`, '512000000x20'),
            ],
            evalTime: '20m',
            expectedLabels: { namespace: ns(facts), pod: 'p1' },
          },
        ],
        notFiring: [
          {
            name: 'resident memory at half the limit',
            inputSeries: [
              series(`process_resident_memory_bytes{${app},namespace="${ns(facts)}",pod="p1"}`, '256000000x20'),
              series(`kube_pod_container_resource_limits{resource="memory",container="app",namespace="${ns(facts)}",pod="p1"}`, '512000000x20'),
            ],
            evalTime: '20m',
          },
        ],
        runbook: runbook(facts, {
          meaning: "For 15 minutes, a pod's resident memory (prom-client `process_resident_memory_bytes`) was above 90 % of its container memory limit (kube-state-metrics).",
          impact: 'The kernel kills the container when it reaches the limit (OOMKilled); requests in flight fail.',
          diagnosis: 'Check whether memory grows steadily (a leak) or follows load (dashboard "Memory").',
          diagnose: { kubernetes: `kubectl -n ${ns(facts)} top pods -l app.kubernetes.io/name=${facts.name}\nkubectl -n ${ns(facts)} describe pod -l app.kubernetes.io/name=${facts.name} | grep -A3 -i 'last state'` },
          mitigation: 'Roll back a leaking release; raise the limit in the overlay (resources.yaml) if the load needs it.',
          mitigate: rollbackShell(facts),
        }),
      },
      {
        name: 'ReadinessFailing',
        group: 'app',
        expr: `sum by (namespace, pod) (kube_pod_status_ready{condition="false",namespace=~"${facts.namespace}.*",pod=~"${facts.name}-.*"}) > 0`,
        for: '10m',
        severity: 'warning',
        summary: `A pod of ${facts.title} has not been ready for 10 minutes.`,
        description: '{{ $labels.namespace }}/{{ $labels.pod }} has failed its readiness probe for 10 minutes.',
        firing: [{ name: 'a pod is not ready', inputSeries: [series(`kube_pod_status_ready{condition="false",namespace="${ns(facts)}",pod="${facts.name}-7d9c-abcde"}`, '1x20')], evalTime: '15m', expectedLabels: { namespace: ns(facts), pod: `${facts.name}-7d9c-abcde` } }],
        notFiring: [{ name: 'every pod is ready', inputSeries: [series(`kube_pod_status_ready{condition="false",namespace="${ns(facts)}",pod="${facts.name}-7d9c-abcde"}`, '0x20')], evalTime: '15m' }],
        runbook: runbook(facts, {
          meaning: `A pod's readiness probe (${facts.paths.readiness}) has failed for 10 minutes (kube-state-metrics \`kube_pod_status_ready\`).`,
          impact: 'The pod gets no traffic; the others carry its share. If all are unready, the service is down.',
          diagnosis: `${facts.paths.readiness} fails when a critical dependency check fails: the response body names it.`,
          diagnose: { kubernetes: `kubectl -n ${ns(facts)} describe pod -l app.kubernetes.io/name=${facts.name} | grep -A5 Readiness\nkubectl -n ${ns(facts)} exec deploy/${facts.name} -- node -e "fetch('http://127.0.0.1:${facts.appPort}${facts.paths.readiness}').then(async (r) => console.log(r.status, await r.text()))"` },
          mitigation: 'Restore the dependency the body names; delete the pod if it is stuck.',
          mitigate: { kubernetes: `kubectl -n ${ns(facts)} delete pod <pod-name>` },
        }),
      },
      {
        name: 'PodCrashLooping',
        group: 'kubernetes',
        expr: `max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff",namespace=~"${facts.namespace}.*",container="app"}) == 1`,
        for: '5m',
        severity: 'critical',
        summary: `A container of ${facts.title} is crash looping.`,
        description: '{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is in CrashLoopBackOff.',
        firing: [{ name: 'waiting in CrashLoopBackOff', inputSeries: [series(`kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff",namespace="${ns(facts)}",pod="p1",container="app"}`, '1x15')], evalTime: '10m', expectedLabels: { namespace: ns(facts), pod: 'p1', container: 'app' } }],
        notFiring: [{ name: 'running', inputSeries: [series(`kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff",namespace="${ns(facts)}",pod="p1",container="app"}`, '0x15')], evalTime: '10m' }],
        runbook: runbook(facts, {
          meaning: 'A container keeps exiting and Kubernetes waits longer before each restart (kube-state-metrics `kube_pod_container_status_waiting_reason`).',
          impact: 'Fewer replicas serve; after a deploy, the rollout stops with the old pods still serving.',
          diagnosis: 'The previous container\'s log says why it exited: usually invalid configuration (the service validates it at start) or a dependency it cannot reach.',
          diagnose: { kubernetes: `kubectl -n ${ns(facts)} logs <pod-name> --previous\nkubectl -n ${ns(facts)} describe pod <pod-name>` },
          mitigation: 'Fix the configuration or Secret it names, or roll back.',
          mitigate: rollbackShell(facts),
        }),
      },
      {
        name: 'ContainerOomKilled',
        group: 'kubernetes',
        expr: `(kube_pod_container_status_restarts_total{namespace=~"${facts.namespace}.*",container="app"} - kube_pod_container_status_restarts_total{namespace=~"${facts.namespace}.*",container="app"} offset 10m >= 1) and ignoring (reason) min_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled",namespace=~"${facts.namespace}.*",container="app"}[10m]) == 1`,
        for: '0m',
        severity: 'warning',
        summary: `A container of ${facts.title} was killed for exceeding its memory limit.`,
        description: '{{ $labels.namespace }}/{{ $labels.pod }} restarted after an OOM kill in the last 10 minutes.',
        firing: [
          {
            name: 'restarted after OOMKilled',
            inputSeries: [
              series(`kube_pod_container_status_restarts_total{namespace="${ns(facts)}",pod="p1",container="app"}`, '0x10 1x10'),
              series(`kube_pod_container_status_last_terminated_reason{reason="OOMKilled",namespace="${ns(facts)}",pod="p1",container="app"}`, '1x20'),
            ],
            evalTime: '15m',
            expectedLabels: { namespace: ns(facts), pod: 'p1', container: 'app' },
          },
        ],
        notFiring: [
          {
            name: 'an old OOM kill without a new restart',
            inputSeries: [
              series(`kube_pod_container_status_restarts_total{namespace="${ns(facts)}",pod="p1",container="app"}`, '1x20'),
              series(`kube_pod_container_status_last_terminated_reason{reason="OOMKilled",namespace="${ns(facts)}",pod="p1",container="app"}`, '1x20'),
            ],
            evalTime: '15m',
          },
        ],
        runbook: runbook(facts, {
          meaning: 'A container restarted in the last 10 minutes and its last termination reason is OOMKilled (kube-state-metrics).',
          impact: 'Requests in flight on that container failed; repeated kills become a crash loop.',
          diagnosis: 'Compare memory use with the limit (dashboard "Memory") and look for a release that changed it.',
          diagnose: { kubernetes: `kubectl -n ${ns(facts)} describe pod <pod-name> | grep -B2 -A5 OOMKilled` },
          mitigation: 'Roll back a release that leaks; raise the memory limit in the overlay\'s resources.yaml if the load needs it.',
          mitigate: rollbackShell(facts),
        }),
      },
      {
        name: 'CertificateExpiringSoon',
        group: 'certificates',
        expr: `certmanager_certificate_expiration_timestamp_seconds{name=~"${facts.name}-tls"} - time() < 14 * 24 * 3600`,
        for: '1h',
        severity: 'warning',
        summary: `The TLS certificate of ${facts.title} expires within 14 days.`,
        description: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within 14 days; cert-manager should have renewed it 30 days ahead.',
        firing: [{ name: 'expires in 7 days', inputSeries: [series(`certmanager_certificate_expiration_timestamp_seconds{name="${facts.name}-tls",namespace="${ns(facts)}"}`, '604800x90')], evalTime: '70m', expectedLabels: { name: `${facts.name}-tls`, namespace: ns(facts) } }],
        notFiring: [{ name: 'expires in 60 days', inputSeries: [series(`certmanager_certificate_expiration_timestamp_seconds{name="${facts.name}-tls",namespace="${ns(facts)}"}`, '5184000x90')], evalTime: '70m' }],
        runbook: runbook(facts, {
          meaning: 'cert-manager reports that the Ingress certificate expires within 14 days although it renews 30 days ahead: renewal is failing.',
          impact: 'When it expires, every HTTPS client refuses to connect.',
          diagnosis: 'The Certificate, its CertificateRequest and the Order/Challenge say why renewal fails (DNS, HTTP-01 reachability, rate limits).',
          diagnose: { kubernetes: `kubectl -n ${ns(facts)} describe certificate ${facts.name}-tls\nkubectl -n ${ns(facts)} get certificaterequests,orders,challenges` },
          mitigation: 'Fix the cause the challenge names, then trigger a renewal.',
          mitigate: { kubernetes: `cmctl renew -n ${ns(facts)} ${facts.name}-tls` },
        }),
      },
    );
  }
  if (facts.deploysWithCompose) {
    alerts.push({
      name: 'ProbeCertificateExpiringSoon',
      group: 'certificates',
      expr: `probe_ssl_earliest_cert_expiry{job="blackbox-https"} - time() < 14 * 24 * 3600`,
      for: '1h',
      severity: 'warning',
      summary: `The TLS certificate served for ${facts.title} expires within 14 days.`,
      description: '{{ $labels.instance }} presents a certificate that expires within 14 days.',
      firing: [{ name: 'expires in 7 days', inputSeries: [series('probe_ssl_earliest_cert_expiry{job="blackbox-https",instance="https://example.com"}', '604800x90')], evalTime: '70m', expectedLabels: { job: 'blackbox-https', instance: 'https://example.com' } }],
      notFiring: [{ name: 'expires in 60 days', inputSeries: [series('probe_ssl_earliest_cert_expiry{job="blackbox-https",instance="https://example.com"}', '5184000x90')], evalTime: '70m' }],
      runbook: runbook(facts, {
        meaning: 'The blackbox exporter probing the public HTTPS address sees a certificate that expires within 14 days; Caddy renews 30 days ahead, so renewal is failing.',
        impact: 'When it expires, every HTTPS client refuses to connect.',
        diagnosis: "Caddy's log says why the ACME renewal fails (DNS, port 80/443 reachability, rate limits).",
        diagnose: { compose: `${composeCmd} logs --since 24h caddy | grep -i -E 'renew|acme|error'` },
        mitigation: 'Fix the cause, then restart Caddy to retry at once.',
        mitigate: { compose: `${composeCmd} restart caddy` },
      }),
    });
  }
  if (facts.hasPostgres) {
    alerts.push(
      {
        name: 'DatabasePoolSaturated',
        group: 'database',
        expr: `max by (job, instance) (db_pool_waiting_requests{${app}}) > 0 and on (job, instance) sum by (job, instance) (db_pool_connections{${app},state="active"}) >= on (job, instance) max by (job, instance) (db_pool_max_connections{${app}})`,
        for: '5m',
        severity: 'warning',
        summary: `${facts.title}'s database pool is exhausted.`,
        description: '{{ $labels.job }} {{ $labels.instance }}: every database pool connection has been busy, with queries waiting, for 5 minutes.',
        firing: [
          {
            name: 'all connections busy with queries waiting',
            inputSeries: [
              series(`db_pool_waiting_requests{${app},instance="a"}`, '3x15'),
              series(`db_pool_connections{${app},instance="a",state="active"}`, '10x15'),
              series(`db_pool_max_connections{${app},instance="a"}`, '10x15'),
            ],
            evalTime: '10m',
            expectedLabels: { job: facts.name, instance: 'a' },
          },
        ],
        notFiring: [
          {
            name: 'free connections, nothing waits',
            inputSeries: [
              series(`db_pool_waiting_requests{${app},instance="a"}`, '0x15'),
              series(`db_pool_connections{${app},instance="a",state="active"}`, '4x15'),
              series(`db_pool_max_connections{${app},instance="a"}`, '10x15'),
            ],
            evalTime: '10m',
          },
        ],
        runbook: runbook(facts, {
          meaning: 'For 5 minutes, every connection of the service\'s database pool (DATABASE_POOL_MAX) was in use and queries queued for one (src/db/pool.ts metrics).',
          impact: 'Requests wait up to DATABASE_CONNECT_TIMEOUT_MS for a connection, then fail.',
          diagnosis: 'Slow queries hold connections: look for them in pg_stat_activity.',
          diagnose: {
            kubernetes: `kubectl -n ${ns(facts)} exec deploy/${facts.name} -- node -e "fetch('http://127.0.0.1:${facts.appPort}${facts.paths.metrics}').then(async (r) => console.log((await r.text()).split('\\n').filter((l) => l.startsWith('db_pool')).join('\\n')))"`,
            compose: `${composeCmd} exec postgres psql -U ${facts.databaseName} -c "SELECT pid, now() - query_start AS running, state, query FROM pg_stat_activity WHERE datname = '${facts.databaseName}' ORDER BY running DESC LIMIT 10"`,
          },
          mitigation: 'Cancel runaway queries; add an index for the slow ones; raise DATABASE_POOL_MAX only while replicas × pool stays below max_connections.',
          mitigate: {},
        }),
      },
      {
        name: 'PostgresDown',
        group: 'database',
        expr: 'pg_up == 0',
        for: '2m',
        severity: 'critical',
        summary: `The PostgreSQL server of ${facts.title} is unreachable.`,
        description: 'postgres_exporter {{ $labels.instance }} cannot connect to PostgreSQL.',
        firing: [{ name: 'exporter cannot connect', inputSeries: [series('pg_up{instance="pg:9187",job="postgres"}', '0x10')], evalTime: '5m', expectedLabels: { instance: 'pg:9187', job: 'postgres' } }],
        notFiring: [{ name: 'exporter connected', inputSeries: [series('pg_up{instance="pg:9187",job="postgres"}', '1x10')], evalTime: '5m' }],
        runbook: runbook(facts, {
          meaning: 'postgres_exporter (`pg_up`) cannot connect to the database server for 2 minutes.',
          impact: 'Every request that reads or writes data fails; /readyz fails, so instances leave rotation.',
          diagnosis: 'Check the database server, its disk and its log; then the network path from the service.',
          diagnose: { compose: `${composeCmd} ps postgres\n${composeCmd} logs --since 30m postgres\n# The exporter's own view (a refused login also sets pg_up to 0):\n${composeCmd} logs --since 30m postgres-exporter`, kubernetes: 'pg_isready -h <database-host> -p 5432' },
          mitigation: 'Restart or fail over the database server; free disk space if it is full.',
          mitigate: { compose: `${composeCmd} restart postgres` },
        }),
      },
      {
        name: 'PostgresConnectionsNearLimit',
        group: 'database',
        expr: 'sum by (instance) (pg_stat_activity_count) / on (instance) max by (instance) (pg_settings_max_connections) > 0.8',
        for: '10m',
        severity: 'warning',
        summary: 'PostgreSQL is near max_connections.',
        description: 'PostgreSQL {{ $labels.instance }} has used more than 80 % of max_connections for 10 minutes.',
        firing: [
          {
            name: '90 of 100 connections',
            inputSeries: [series('pg_stat_activity_count{instance="pg:9187",datname="app",state="active"}', '90x15'), series('pg_settings_max_connections{instance="pg:9187"}', '100x15')],
            evalTime: '12m',
            expectedLabels: { instance: 'pg:9187' },
          },
        ],
        notFiring: [
          {
            name: '20 of 100 connections',
            inputSeries: [series('pg_stat_activity_count{instance="pg:9187",datname="app",state="active"}', '20x15'), series('pg_settings_max_connections{instance="pg:9187"}', '100x15')],
            evalTime: '12m',
          },
        ],
        runbook: runbook(facts, {
          meaning: 'For 10 minutes, more than 80 % of PostgreSQL\'s max_connections were in use (postgres_exporter).',
          impact: 'When the limit is reached, new connections are refused: deploys and scale-outs fail first.',
          diagnosis: 'Count connections by application and state.',
          diagnose: { compose: `${composeCmd} exec postgres psql -U ${facts.databaseName} -c "SELECT application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2 ORDER BY 3 DESC"` },
          mitigation: 'Keep replicas × DATABASE_POOL_MAX below max_connections; put PgBouncer in front if more replicas are needed.',
          mitigate: {},
        }),
      },
    );
  }
  if (facts.hasRedis) {
    alerts.push(
      {
        name: 'RedisDown',
        group: 'redis',
        expr: 'redis_up == 0',
        for: '2m',
        severity: 'warning',
        summary: `The Redis server of ${facts.title} is unreachable.`,
        description: 'redis_exporter {{ $labels.instance }} cannot connect to Redis.',
        firing: [{ name: 'exporter cannot connect', inputSeries: [series('redis_up{instance="redis:9121"}', '0x10')], evalTime: '5m', expectedLabels: { instance: 'redis:9121' } }],
        notFiring: [{ name: 'exporter connected', inputSeries: [series('redis_up{instance="redis:9121"}', '1x10')], evalTime: '5m' }],
        runbook: runbook(facts, {
          meaning: 'redis_exporter (`redis_up`) cannot reach Redis for 2 minutes.',
          impact: 'Rate limits fail open (src/redis.ts): the service keeps serving without shared limits, and counts each request let through in `rate_limit_store_errors_total`.',
          diagnosis: 'Check the Redis server and its log.',
          diagnose: { compose: `${composeCmd} ps redis\n${composeCmd} logs --since 30m redis\n# The exporter's own view:\n${composeCmd} logs --since 30m redis-exporter` },
          mitigation: 'Restart Redis; the service reconnects by itself.',
          mitigate: { compose: `${composeCmd} restart redis` },
        }),
      },
      {
        name: 'RedisMemoryNearLimit',
        group: 'redis',
        expr: 'redis_memory_used_bytes / redis_memory_max_bytes > 0.9 and redis_memory_max_bytes > 0',
        for: '10m',
        severity: 'warning',
        summary: 'Redis uses more than 90 % of maxmemory.',
        description: 'Redis {{ $labels.instance }} has used more than 90 % of maxmemory for 10 minutes.',
        firing: [{ name: '95 % used', inputSeries: [series('redis_memory_used_bytes{instance="redis:9121"}', '95x15'), series('redis_memory_max_bytes{instance="redis:9121"}', '100x15')], evalTime: '12m', expectedLabels: { instance: 'redis:9121' } }],
        notFiring: [{ name: '50 % used', inputSeries: [series('redis_memory_used_bytes{instance="redis:9121"}', '50x15'), series('redis_memory_max_bytes{instance="redis:9121"}', '100x15')], evalTime: '12m' }],
        runbook: runbook(facts, {
          meaning: 'For 10 minutes, Redis used more than 90 % of its maxmemory (redis_exporter).',
          impact: 'At the limit Redis evicts keys (rate-limit windows reset early) or refuses writes, depending on maxmemory-policy.',
          diagnosis: 'Find what holds the memory.',
          diagnose: { compose: `${composeCmd} exec redis redis-cli info memory\n${composeCmd} exec redis redis-cli --bigkeys` },
          mitigation: 'Raise maxmemory, or shorten key lifetimes.',
          mitigate: {},
        }),
      },
      {
        name: 'RedisEvictingKeys',
        group: 'redis',
        expr: 'increase(redis_evicted_keys_total[10m]) > 0',
        for: '10m',
        severity: 'warning',
        summary: 'Redis evicts keys.',
        description: 'Redis {{ $labels.instance }} has been evicting keys for 10 minutes.',
        firing: [{ name: 'evictions every minute', inputSeries: [series('redis_evicted_keys_total{instance="redis:9121"}', '0+5x30')], evalTime: '25m', expectedLabels: { instance: 'redis:9121' } }],
        notFiring: [{ name: 'no evictions', inputSeries: [series('redis_evicted_keys_total{instance="redis:9121"}', '0x30')], evalTime: '25m' }],
        runbook: runbook(facts, {
          meaning: 'Redis reached maxmemory and evicts keys to make room (redis_exporter `redis_evicted_keys_total`).',
          impact: 'Evicted rate-limit counters reset: clients get more requests than RATE_LIMIT_MAX per window.',
          diagnosis: 'Check memory use and policy.',
          diagnose: { compose: `${composeCmd} exec redis redis-cli info memory | grep -E 'used_memory_human|maxmemory'` },
          mitigation: 'Raise maxmemory.',
          mitigate: {},
        }),
      },
    );
  }
  alerts.push({
    name: 'Watchdog',
    group: 'meta',
    expr: 'vector(1)',
    for: '0m',
    severity: 'info',
    summary: 'Always firing: proves the alerting pipeline works end to end.',
    description: 'Heartbeat of the alerting pipeline, firing at every evaluation: the heartbeat receiver must get it continuously; silence means alerting is broken.',
    firing: [{ name: 'fires whatever the input', inputSeries: [], evalTime: '1m' }],
    notFiring: [],
    runbook: runbook(facts, {
      meaning: 'This alert always fires. Alertmanager sends it to the heartbeat receiver (a dead man\'s switch such as Healthchecks.io or PagerDuty\'s heartbeat).',
      impact: 'None while it fires. When the heartbeat service stops receiving it, Prometheus, Alertmanager or the path between them is broken and no other alert would reach anyone.',
      diagnosis: 'When the heartbeat service reports it missing, check that Prometheus evaluates rules and that Alertmanager is up and can reach the heartbeat URL.',
      diagnose: {
        kubernetes: 'kubectl -n monitoring get pods\nkubectl -n monitoring logs statefulset/alertmanager-main --since=30m',
        compose: `${composeCmd} --profile monitoring ps\n${composeCmd} --profile monitoring logs --since 30m alertmanager`,
      },
      mitigation: 'Restart the failed component; never silence the Watchdog.',
      mitigate: {},
    }),
  });
  return alerts;
}
