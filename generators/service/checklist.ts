/**
 * The service's security-checklist items: what its source files implement,
 * grouped by OWASP Top 10:2025 category with OWASP ASVS 5.0 (level 2)
 * requirement ids, and the controls it does not have yet as manual steps.
 */
import type { Facts } from '../core/facts.ts';
import type { ChecklistItem } from '../core/slots.ts';

/** Checklist items for the service; every `file` is a path the service feature writes for these facts. */
export function serviceChecklist(facts: Facts): ChecklistItem[] {
  return [
    {
      id: 'service-no-authentication',
      category: 'A01',
      asvs: ['V8.2.1', 'V8.2.2'],
      text: 'The API has no authorization yet: every client may list, create, change and delete items. Decide who may call each route and enforce it on the server before the service holds data that is not public.',
      implementedBy: { manual: 'the service owners, before the first release that stores non-public data' },
    },
    {
      id: 'service-cors-allowlist',
      category: 'A01',
      asvs: ['V3.4.2'],
      text: 'Cross-origin requests are allowed only from the origins listed in CORS_ORIGINS; without it, browsers get no cross-origin access.',
      implementedBy: { file: 'src/security.ts' },
    },
    {
      id: 'service-security-headers',
      category: 'A02',
      asvs: ['V3.4.1', 'V3.4.3', 'V3.4.4', 'V3.4.5', 'V3.4.6'],
      text: 'helmet sets Strict-Transport-Security, a restrictive Content-Security-Policy, X-Content-Type-Options: nosniff, Referrer-Policy and frame-ancestors on every response.',
      implementedBy: { file: 'src/security.ts' },
    },
    {
      id: 'service-config-validation',
      category: 'A02',
      asvs: ['V13.4.2'],
      text: 'Configuration is read only from the environment and validated with zod at start-up; an invalid or missing value stops the process with a message naming the variable. NODE_ENV defaults to production, which keeps error details out of responses.',
      implementedBy: { file: 'src/config.ts' },
    },
    {
      id: 'service-pinned-dependencies',
      category: 'A03',
      asvs: ['V15.1.2'],
      text: 'Every dependency is pinned to an exact version in package.json; package-lock.json records the integrity hash of each package and `npm ci` installs exactly that.',
      implementedBy: { file: 'package.json' },
    },
    {
      id: 'service-dependency-updates',
      category: 'A03',
      asvs: ['V15.1.1', 'V15.2.1'],
      text: 'Review `npm audit` and dependency updates on a fixed schedule, and patch critical vulnerabilities within the time the team documents.',
      implementedBy: { manual: 'the service owners, on a fixed schedule (at least monthly)' },
    },
    {
      id: 'service-parameterised-queries',
      category: 'A05',
      asvs: ['V1.2.4'],
      text: facts.hasPostgres
        ? 'Every SQL statement passes values as parameters ($1, $2, ...); no query is built by string concatenation.'
        : 'Items are kept in process memory; no query language is involved. Use parameterised queries when a database is added.',
      implementedBy: { file: facts.hasPostgres ? 'src/items/postgres-repository.ts' : 'src/items/memory-repository.ts' },
    },
    {
      id: 'service-strict-request-schemas',
      category: 'A05',
      asvs: ['V2.2.1', 'V2.2.2'],
      text: 'Every route validates its parameters, query and body against a JSON schema with additionalProperties: false and length limits; invalid input is rejected with 400 before the handler runs.',
      implementedBy: { file: 'src/items/routes.ts' },
    },
    {
      id: 'service-rate-limit',
      category: 'A06',
      asvs: ['V2.4.1'],
      text: `Each client address may make RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_MS before getting 429${facts.hasRedis ? ', counted in Redis across all replicas (requests pass, logged and counted, while Redis is unreachable)' : ', counted per process'}; request bodies are limited to BODY_LIMIT_BYTES.`,
      implementedBy: { file: 'src/security.ts' },
    },
    {
      id: 'service-no-authentication-mechanism',
      category: 'A07',
      asvs: ['V6.3.3'],
      text: 'No authentication mechanism exists yet. Add one (an OAuth 2.0 / OpenID Connect access token checked on every request, or mutual TLS between services) before exposing the API beyond trusted networks.',
      implementedBy: { manual: 'the service owners, together with whoever runs the identity provider' },
    },
    {
      id: 'service-log-redaction',
      category: 'A09',
      asvs: ['V16.2.1', 'V16.2.5'],
      text: 'Structured JSON logs with time, level and, for request logs, the request id; Authorization, Cookie, Set-Cookie and API-key headers are redacted before a line is written.',
      implementedBy: { file: 'src/logger.ts' },
    },
    {
      id: 'service-problem-details',
      category: 'A10',
      asvs: ['V16.5.1'],
      text: 'Errors are answered as application/problem+json (RFC 9457) with a stable code and the request id; stack traces and internal messages never reach a response in production.',
      implementedBy: { file: 'src/errors.ts' },
    },
    {
      id: 'service-graceful-shutdown',
      category: 'A10',
      asvs: ['V16.5.3'],
      text: 'On SIGTERM the service fails readiness, drains in-flight requests and closes its connections within SHUTDOWN_TIMEOUT_MS; an unexpected error ends the process rather than leaving it half-working.',
      implementedBy: { file: 'src/shutdown.ts' },
    },
  ];
}
