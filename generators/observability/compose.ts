/**
 * The monitoring stack of compose.production.yaml, under the `monitoring`
 * profile: Prometheus (rules and scrape configuration from deploy/monitoring),
 * Alertmanager, Grafana with the provisioned dashboard, a blackbox exporter
 * for the certificate probe, and the exporters the dependency alerts read:
 * postgres_exporter (with PostgreSQL) and redis_exporter (with Redis). Images
 * pinned by digest (versions.json). No exporter publishes a port: Prometheus
 * reaches them on the internal network.
 */
import { yamlFile } from '../core/yaml-text.ts';
import type { ComposeService } from '../compose/slots.ts';
import type { Facts } from '../core/facts.ts';
import { pinnedImage } from '../core/versions.ts';
import { DASHBOARD_MOUNT } from './dashboard.ts';
import { MONITORING_ROOT } from './rules.ts';

const PROFILE = ['monitoring'];
const hardened = { read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] };
const logging = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } };
const bind = (source: string, target: string) => ({ type: 'bind', source, target, read_only: true });
const ready = (url: string) => ({ test: ['CMD', 'wget', '--quiet', '--tries=1', '--output-document=/dev/null', url], interval: '30s', timeout: '5s', retries: 3, start_period: '20s' });

/** Where operators put file-based scrape targets (the HTTPS address the blackbox exporter probes). */
export const TARGETS_DIRECTORY = `${MONITORING_ROOT}/prometheus/targets`;

/** Where postgres_exporter reads its login (a role in pg_monitor) from the host's secrets/postgres-exporter. */
export const POSTGRES_EXPORTER_SECRETS = '/etc/postgres-exporter/secrets';

/**
 * postgres_exporter: its address from POSTGRES_EXPORTER_DATA_SOURCE_URI of
 * .env.production (default: the Compose `postgres` service), its user and
 * password from files (DATA_SOURCE_USER_FILE, DATA_SOURCE_PASS_FILE; see the
 * exporter's README). The image runs as nobody (65534).
 */
function postgresExporter(facts: Facts): ComposeService {
  return {
    name: 'postgres-exporter',
    service: {
      image: pinnedImage('postgresExporter'),
      profiles: PROFILE,
      restart: 'unless-stopped',
      user: '65534:65534',
      environment: {
        DATA_SOURCE_URI: `\${POSTGRES_EXPORTER_DATA_SOURCE_URI:-postgres:5432/${facts.databaseName}?sslmode=disable}`,
        DATA_SOURCE_USER_FILE: `${POSTGRES_EXPORTER_SECRETS}/user`,
        DATA_SOURCE_PASS_FILE: `${POSTGRES_EXPORTER_SECRETS}/password`,
      },
      ...hardened,
      volumes: [bind('./secrets/postgres-exporter', POSTGRES_EXPORTER_SECRETS)],
      // public: the database may be a managed one outside this host.
      networks: ['internal', 'public'],
      healthcheck: ready('http://127.0.0.1:9187/'),
      deploy: { resources: { limits: { cpus: '0.25', memory: '128M' } } },
      logging,
    },
  };
}

/**
 * redis_exporter: the address (with any password) from REDIS_URL of
 * .env.production, the app's own. The image is built FROM scratch (no shell,
 * no wget, so no healthcheck; Prometheus' `up` of job redis watches it) and
 * runs as 59000.
 */
function redisExporter(): ComposeService {
  return {
    name: 'redis-exporter',
    service: {
      image: pinnedImage('redisExporter'),
      profiles: PROFILE,
      restart: 'unless-stopped',
      user: '59000:59000',
      environment: { REDIS_ADDR: '${REDIS_URL:-redis://redis:6379}' },
      ...hardened,
      networks: ['internal'],
      deploy: { resources: { limits: { cpus: '0.25', memory: '64M' } } },
      logging,
    },
  };
}

/** The services, each in the `monitoring` profile. */
export function monitoringServices(facts: Facts): ComposeService[] {
  return [
    ...(facts.hasPostgres ? [postgresExporter(facts)] : []),
    ...(facts.hasRedis ? [redisExporter()] : []),
    {
      name: 'prometheus',
      volumes: ['prometheus-data'],
      service: {
        image: pinnedImage('prometheus'),
        profiles: PROFILE,
        restart: 'unless-stopped',
        command: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=30d'],
        ...hardened,
        volumes: [
          bind(`./${MONITORING_ROOT}/prometheus/prometheus.yml`, '/etc/prometheus/prometheus.yml'),
          bind(`./${MONITORING_ROOT}/prometheus/rules`, '/etc/prometheus/rules'),
          bind(`./${TARGETS_DIRECTORY}`, '/etc/prometheus/targets'),
          { type: 'volume', source: 'prometheus-data', target: '/prometheus' },
        ],
        networks: ['internal'],
        healthcheck: ready('http://127.0.0.1:9090/-/ready'),
        deploy: { resources: { limits: { cpus: '1.00', memory: '1G' } } },
        logging,
      },
    },
    {
      name: 'alertmanager',
      volumes: ['alertmanager-data'],
      service: {
        image: pinnedImage('alertmanager'),
        profiles: PROFILE,
        restart: 'unless-stopped',
        command: ['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
        ...hardened,
        volumes: [
          bind(`./${MONITORING_ROOT}/alertmanager/alertmanager.yml`, '/etc/alertmanager/alertmanager.yml'),
          bind('./secrets/alertmanager', '/etc/alertmanager/secrets'),
          { type: 'volume', source: 'alertmanager-data', target: '/alertmanager' },
        ],
        // public: notifications leave the host (PagerDuty, Slack, Opsgenie).
        networks: ['internal', 'public'],
        healthcheck: ready('http://127.0.0.1:9093/-/ready'),
        deploy: { resources: { limits: { cpus: '0.50', memory: '256M' } } },
        logging,
      },
    },
    {
      name: 'grafana',
      volumes: ['grafana-data'],
      service: {
        image: pinnedImage('grafana'),
        profiles: PROFILE,
        restart: 'unless-stopped',
        environment: { GF_SECURITY_ADMIN_PASSWORD__FILE: '/etc/grafana/secrets/admin-password', GF_USERS_ALLOW_SIGN_UP: 'false', GF_ANALYTICS_REPORTING_ENABLED: 'false' },
        ...hardened,
        tmpfs: ['/tmp:size=64m,mode=1777'],
        volumes: [
          bind(`./${MONITORING_ROOT}/grafana/provisioning`, '/etc/grafana/provisioning'),
          bind(`./${MONITORING_ROOT}/grafana/dashboards`, DASHBOARD_MOUNT),
          bind('./secrets/grafana', '/etc/grafana/secrets'),
          { type: 'volume', source: 'grafana-data', target: '/var/lib/grafana' },
        ],
        // Reached through an SSH tunnel only: ssh -L 3001:127.0.0.1:3001 <host>
        ports: ['127.0.0.1:3001:3000'],
        networks: ['internal', 'public'],
        healthcheck: ready('http://127.0.0.1:3000/api/health'),
        deploy: { resources: { limits: { cpus: '0.50', memory: '512M' } } },
        logging,
      },
    },
    {
      name: 'blackbox',
      service: {
        image: pinnedImage('blackboxExporter'),
        profiles: PROFILE,
        restart: 'unless-stopped',
        command: ['--config.file=/etc/blackbox/blackbox.yml'],
        ...hardened,
        volumes: [bind(`./${MONITORING_ROOT}/blackbox/blackbox.yml`, '/etc/blackbox/blackbox.yml')],
        // public: it probes the service's public HTTPS address as clients see it.
        networks: ['internal', 'public'],
        healthcheck: ready('http://127.0.0.1:9115/-/healthy'),
        deploy: { resources: { limits: { cpus: '0.25', memory: '128M' } } },
        logging,
      },
    },
  ];
}

const yaml = (header: string, document: object) => yamlFile(header, [document]);

/** prometheus.yml, blackbox.yml and the targets directory's README, by project path. */
export function composeMonitoringFiles(facts: Facts): Record<string, string> {
  return {
    [`${MONITORING_ROOT}/prometheus/prometheus.yml`]: yaml(`Prometheus of compose.production.yaml (profile monitoring): scrapes ${facts.title}, evaluates the rules, alerts through Alertmanager.`, {
      global: { scrape_interval: '30s', scrape_timeout: '10s', evaluation_interval: '30s' },
      rule_files: ['/etc/prometheus/rules/*.yaml'],
      alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
      scrape_configs: [
        { job_name: facts.name, metrics_path: facts.paths.metrics, static_configs: [{ targets: [`app:${facts.appPort}`] }] },
        { job_name: 'prometheus', static_configs: [{ targets: ['127.0.0.1:9090'] }] },
        ...(facts.hasPostgres ? [{ job_name: 'postgres', static_configs: [{ targets: ['postgres-exporter:9187'] }] }] : []),
        ...(facts.hasRedis ? [{ job_name: 'redis', static_configs: [{ targets: ['redis-exporter:9121'] }] }] : []),
        {
          job_name: 'blackbox-https',
          metrics_path: '/probe',
          params: { module: ['https_2xx'] },
          file_sd_configs: [{ files: ['/etc/prometheus/targets/*.yaml'] }],
          relabel_configs: [
            { source_labels: ['__address__'], target_label: '__param_target' },
            { source_labels: ['__param_target'], target_label: 'instance' },
            { target_label: '__address__', replacement: 'blackbox:9115' },
          ],
        },
      ],
    }),
    [`${MONITORING_ROOT}/blackbox/blackbox.yml`]: yaml('blackbox exporter: probes the public HTTPS address; its certificate expiry feeds ProbeCertificateExpiringSoon.', {
      modules: { https_2xx: { prober: 'http', timeout: '10s', http: { method: 'GET', fail_if_not_ssl: true, valid_status_codes: [200], preferred_ip_protocol: 'ip4' } } },
    }),
    [`${TARGETS_DIRECTORY}/README.md`]: [
      '# Probe targets',
      '',
      `Prometheus reads every \`*.yaml\` file of this directory as file-based service discovery for the \`blackbox-https\` job. Add \`https.yaml\` with the public address of ${facts.title} (the Caddy \`DOMAIN\`) and its readiness path, so the certificate is watched:`,
      '',
      '```yaml',
      `- targets: ['https://${facts.name}.example.com${facts.paths.readiness}']`,
      '```',
      '',
      'Prometheus picks up changes without a restart.',
      '',
    ].join('\n'),
  };
}
