/**
 * Alert drills against a real Prometheus: drive traffic into a running service
 * and wait until an alert reaches a state in /api/v1/alerts (or leaves it).
 * Each drill returns findings (messages a user reads) rather than throwing, so
 * a rule that never fires is reported like any other failed proof.
 */
import type { ActiveAlert, Prometheus } from './prometheus.ts';

/** One round of traffic: sends some requests and returns how many got the answer the drill wanted (5xx for errors, 2xx for good traffic). */
export type Traffic = () => Promise<number>;

export interface DriveOptions {
  prometheus: Prometheus;
  /** Alert name, e.g. "ErrorBudgetBurnFast". */
  alert: string;
  /** Labels the alert must carry, e.g. { job: "orders-api" }. */
  labels: Record<string, string>;
  traffic: Traffic;
  /** How long to keep driving before giving up, in milliseconds. */
  timeoutMs: number;
}

/** How a drive ended: `reached` whether the alert got where it should; seconds since the drive began; answers counted by the traffic. */
export interface DriveResult {
  reached: boolean;
  seconds: number;
  answers: number;
}

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([name, value]) => `${name}="${value}"`)
    .join(',');

async function drive(options: DriveOptions, done: (alert: ActiveAlert | undefined) => boolean): Promise<DriveResult> {
  const started = performance.now();
  let answers = 0;
  while (performance.now() - started < options.timeoutMs) {
    if (done(await options.prometheus.alert(options.alert, options.labels))) return { reached: true, seconds: (performance.now() - started) / 1000, answers };
    answers += await options.traffic();
  }
  const reached = done(await options.prometheus.alert(options.alert, options.labels));
  return { reached, seconds: (performance.now() - started) / 1000, answers };
}

/** Drives `traffic` until the alert is firing; a finding when it is not within the timeout. */
export async function driveUntilFiring(options: DriveOptions): Promise<DriveResult & { finding?: string }> {
  const result = await drive(options, (alert) => alert?.state === 'firing');
  if (result.reached) return result;
  return { ...result, finding: `${options.alert}{${labelText(options.labels)}} did not fire within ${options.timeoutMs / 1000} s of error traffic (${result.answers} error answers sent)` };
}

/** Drives `traffic` until the alert is no longer active (resolved); a finding when it still is after the timeout. */
export async function driveUntilResolved(options: DriveOptions): Promise<DriveResult & { finding?: string }> {
  const result = await drive(options, (alert) => alert === undefined);
  if (result.reached) return result;
  return { ...result, finding: `${options.alert}{${labelText(options.labels)}} was still active ${options.timeoutMs / 1000} s after errors stopped (${result.answers} good answers sent)` };
}

/** Waits (without traffic) until the alert is in `state`; a finding when it is not within the timeout. */
export async function waitForAlert(prometheus: Prometheus, alert: string, labels: Record<string, string>, state: ActiveAlert['state'], timeoutMs: number): Promise<DriveResult & { finding?: string }> {
  const idle: Traffic = () => new Promise((resolve) => setTimeout(() => resolve(0), 250));
  const result = await drive({ prometheus, alert, labels, traffic: idle, timeoutMs }, (active) => active?.state === state);
  if (result.reached) return result;
  return { ...result, finding: `${alert}{${labelText(labels)}} was not ${state} within ${timeoutMs / 1000} s` };
}
