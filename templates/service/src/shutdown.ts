/**
 * Graceful shutdown on SIGTERM/SIGINT:
 *   readiness fails → drain delay (load balancers stop routing) →
 *   server closes (in-flight requests finish; the app's onClose hooks close
 *   the database pool and other clients) → final hooks (error reporting,
 *   tracing flush) → logs flushed → exit 0,
 * all under a hard timeout that exits 1 when something hangs.
 */
import type { FastifyInstance } from 'fastify';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';

export interface ShutdownOptions {
  app: FastifyInstance;
  lifecycle: Lifecycle;
  logger: Logger;
  drainMs: number;
  timeoutMs: number;
  /** Run after the server and its clients are closed, in order. */
  finally?: readonly (() => Promise<void>)[];
  exit?: (code: number) => void;
}

export type Shutdown = (reason: string) => Promise<void>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createShutdown(options: ShutdownOptions): Shutdown {
  const { app, lifecycle, logger, drainMs, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;

  return async (reason) => {
    if (started) {
      logger.warn({ reason }, 'shutdown already in progress');
      return;
    }
    started = true;
    const startedAt = performance.now();
    lifecycle.beginShutdown();
    logger.info({ reason, drainMs, timeoutMs }, 'shutdown started: readiness now fails');

    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting');
      logger.flush();
      exit(1);
    }, timeoutMs);
    deadline.unref();

    let code = 0;
    try {
      await sleep(drainMs);
      lifecycle.beginClosing();
      await app.close();
      for (const step of options.finally ?? []) await step();
    } catch (error) {
      code = 1;
      logger.error({ err: error }, 'shutdown failed');
    }
    clearTimeout(deadline);
    logger.info({ durationMs: Math.round(performance.now() - startedAt), exitCode: code }, 'shutdown complete');
    logger.flush();
    exit(code);
  };
}

export function installSignalHandlers(shutdown: Shutdown): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutdown(signal));
  }
}

/** What to do with an unhandled rejection or uncaught exception: log it as fatal, report it, exit 1. */
export function crashHandler(
  logger: Logger,
  kind: 'unhandledRejection' | 'uncaughtException',
  report: (error: unknown) => Promise<void> = () => Promise.resolve(),
  exit: (code: number) => void = (code) => {
    process.exit(code);
  },
): (error: unknown) => void {
  return (error) => {
    logger.fatal({ err: error, kind }, 'process crashed');
    logger.flush();
    // Reporting gets 2 s at most.
    const timer = setTimeout(() => {
      exit(1);
    }, 2000);
    timer.unref();
    void report(error)
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        exit(1);
      });
  };
}

/** Crashes are logged, reported, and end the process with status 1: the orchestrator restarts it. */
export function installCrashHandlers(logger: Logger, report?: (error: unknown) => Promise<void>): void {
  process.on('unhandledRejection', crashHandler(logger, 'unhandledRejection', report));
  process.on('uncaughtException', crashHandler(logger, 'uncaughtException', report));
}
