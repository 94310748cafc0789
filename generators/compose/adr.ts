/** The decision --deploy compose|both made: production on one host with Docker Compose behind Caddy. */
import type { Facts } from '../core/facts.ts';
import type { Adr } from '../core/slots.ts';

export function composeAdr(facts: Facts): Adr {
  return {
    slug: 'compose-with-caddy',
    title: 'Run production on one host with Docker Compose behind Caddy',
    status: 'accepted',
    order: 20,
    context: `${facts.title} must be reachable over HTTPS with as little infrastructure as possible. One host with Docker is available; a cluster is not needed for the expected load.`,
    drivers: ['HTTPS with certificates obtained and renewed automatically.', 'Only the proxy exposes ports; the app runs read-only and unprivileged.', 'Deploys and rollbacks are one command.'],
    options: [
      {
        title: 'Docker Compose with Caddy as the TLS edge proxy',
        pros: ['Caddy obtains and renews certificates by itself (ACME) and redirects HTTP to HTTPS.', 'The whole stack is one reviewed file, `compose.production.yaml`.'],
        cons: ['One host: no failover; a host outage is an outage.', 'Scaling beyond one host means moving to an orchestrator.'],
      },
      {
        title: 'Docker Compose with nginx and certbot',
        pros: ['Widely known configuration.'],
        cons: ['Certificate renewal is a second process to schedule and reload.'],
      },
      {
        title: 'A managed Kubernetes cluster',
        pros: ['Failover, rolling updates and autoscaling.'],
        cons: ['A cluster to pay for and operate before the load needs it.'],
      },
    ],
    outcome: { chosen: 'Docker Compose with Caddy as the TLS edge proxy', because: 'it gives automatic HTTPS and a hardened single-host stack with the least to operate.' },
    consequences: {
      good: ['`docker compose --env-file .env.production -f compose.production.yaml up -d --wait` deploys and waits for health checks.'],
      bad: ['Availability is that of one host; back up its volumes and keep the image tag of the previous release for rollbacks.'],
    },
    confirmation: '`docker compose --env-file .env.production -f compose.production.yaml config --quiet` validates the stack and `caddy validate --config Caddyfile --adapter caddyfile` (with DOMAIN and ACME_EMAIL set) the proxy; run both after every change to either file.',
  };
}
