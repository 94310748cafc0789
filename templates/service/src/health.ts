/**
 * Probes and health:
 * - /livez answers from the process alone and never looks at dependencies,
 *   so a database outage never makes the orchestrator restart healthy pods;
 * - /readyz fails (503) while shutting down or while a critical dependency is
 *   down, with a short timeout per check;
 * - /health reports every component with its status and latency.
 */
import type { FastifyInstance } from 'fastify';
import type { Lifecycle } from './lifecycle.ts';

export type Status = 'ok' | 'degraded' | 'down';

/** What a working dependency reports: nothing, or why it is strained (it still counts as available). */
export interface CheckResult {
  degraded?: string;
}

export interface HealthCheck {
  name: string;
  /** A critical dependency that is down makes the service unready. */
  critical: boolean;
  /** Resolves when the dependency works and rejects when it does not; should stop early when `signal` aborts. */
  check(signal: AbortSignal): Promise<CheckResult>;
}

export interface ComponentHealth {
  status: Status;
  critical: boolean;
  latencyMs: number;
  /** Why the component is not ok: "slow", a strain its check reports, "timeout" or an error code; never a message with connection details. */
  reason?: string;
}

export interface HealthReport {
  status: Status;
  components: Record<string, ComponentHealth>;
}

class CheckTimeout extends Error {
  constructor() {
    super('timeout');
    this.name = 'CheckTimeout';
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof CheckTimeout) return 'timeout';
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code) ? code : 'error';
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<ComponentHealth> {
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CheckTimeout());
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([check.check(controller.signal), timeout]);
    const latencyMs = Math.round(performance.now() - started);
    if (result.degraded !== undefined)
      return { status: 'degraded', critical: check.critical, latencyMs, reason: result.degraded };
    // Answering, but slowly enough that requests will suffer.
    if (latencyMs > timeoutMs / 2) return { status: 'degraded', critical: check.critical, latencyMs, reason: 'slow' };
    return { status: 'ok', critical: check.critical, latencyMs };
  } catch (error) {
    return {
      status: 'down',
      critical: check.critical,
      latencyMs: Math.round(performance.now() - started),
      reason: reasonOf(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(checks: readonly HealthCheck[], timeoutMs: number): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (check) => [check.name, await runCheck(check, timeoutMs)] as const),
  );
  const components = Object.fromEntries(results);
  const values = Object.values(components);
  const status: Status = values.some((component) => component.critical && component.status === 'down')
    ? 'down'
    : values.some((component) => component.status !== 'ok')
      ? 'degraded'
      : 'ok';
  return { status, components };
}

const componentSchema = {
  type: 'object',
  required: ['status', 'critical', 'latencyMs'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
    critical: { type: 'boolean' },
    latencyMs: { type: 'integer', minimum: 0 },
    reason: { type: 'string' },
  },
} as const;

const reportSchema = {
  type: 'object',
  required: ['status', 'components'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
    reason: { type: 'string' },
    components: { type: 'object', additionalProperties: componentSchema },
  },
} as const;

export interface HealthRoutesOptions {
  checks: readonly HealthCheck[];
  lifecycle: Lifecycle;
  timeoutMs: number;
}

/** Probe routes are neither rate limited nor logged per request. */
const probeConfig = { rateLimit: false } as const;

export function registerHealthRoutes(app: FastifyInstance, options: HealthRoutesOptions): void {
  const { checks, lifecycle, timeoutMs } = options;

  app.get(
    '/livez',
    {
      logLevel: 'warn',
      config: probeConfig,
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is running and serving HTTP.',
        response: {
          200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
        },
      },
    },
    (_request, reply) => reply.send({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      config: probeConfig,
      schema: {
        tags: ['health'],
        summary: 'Readiness: not shutting down and every critical dependency answers.',
        response: { 200: reportSchema, 503: reportSchema },
      },
    },
    async (_request, reply) => {
      if (lifecycle.shuttingDown)
        return reply.code(503).send({ status: 'down', reason: 'shutting down', components: {} });
      const report = await checkHealth(checks, timeoutMs);
      return reply.code(report.status === 'down' ? 503 : 200).send(report);
    },
  );

  app.get(
    '/health',
    {
      logLevel: 'warn',
      config: probeConfig,
      schema: {
        tags: ['health'],
        summary: 'Overall status with the status and latency of each component.',
        response: { 200: reportSchema, 503: reportSchema },
      },
    },
    async (_request, reply) => {
      const report = await checkHealth(checks, timeoutMs);
      const body = lifecycle.shuttingDown ? { ...report, status: 'down' as const, reason: 'shutting down' } : report;
      return reply.code(body.status === 'down' ? 503 : 200).send(body);
    },
  );
}
