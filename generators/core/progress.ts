/**
 * Progress of a long step (npm install, git init and commit): a spinner with
 * the step's name on a terminal, plain timestamped lines elsewhere, so CI logs
 * say when each step started and how long it took:
 *
 *   [14:02:07] Installing dependencies with npm…
 *   [14:02:19] Installing dependencies with npm… done in 12.3 s
 *
 * The spinner is yocto-spinner (one small module plus yoctocolors), imported
 * only when a step starts on a terminal, so runs without long steps load
 * nothing for it. Colours follow the stream: NO_COLOR, FORCE_COLOR and
 * TERM=dumb are honoured (Node's `hasColors`). The spinner's own signal
 * handlers stay off: the CLI handles SIGINT itself and calls
 * `stopActiveProgress` so the cursor is shown again.
 */

/** One running step; `finish` ends it once and returns its duration in milliseconds. */
export interface ProgressStep {
  finish(ok: boolean): number;
}

interface SpinnerLike {
  success(text?: string): unknown;
  error(text?: string): unknown;
  stop(text?: string): unknown;
}

let active: SpinnerLike | undefined;

/** A duration for people: "0.4 s", "12.3 s", "2 min 05 s". */
export function formatDuration(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** "hh:mm:ss" of `date` in local time, as log lines show it. */
export function clockTime(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

/** Whether `stream` gets a spinner: a terminal that can redraw a line, outside CI (yocto-spinner's own rule, applied before it is loaded). */
function animated(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && process.env.TERM !== 'dumb' && !('CI' in process.env);
}

/**
 * Starts showing `label` (e.g. "Installing dependencies with npm") on
 * `stream` (stderr by default, so stdout stays free for results and --json).
 * `finish(ok)` prints the outcome with the elapsed time and returns it in
 * milliseconds.
 */
export async function startStep(label: string, stream: NodeJS.WriteStream = process.stderr): Promise<ProgressStep> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (!animated(stream)) {
    stream.write(`[${clockTime(new Date())}] ${label}…\n`);
    let finished: number | undefined;
    return {
      finish(ok) {
        if (finished !== undefined) return finished;
        finished = elapsed();
        stream.write(`[${clockTime(new Date())}] ${label}… ${ok ? 'done in' : 'failed after'} ${formatDuration(finished)}\n`);
        return finished;
      },
    };
  }
  const { default: yoctoSpinner } = await import('yocto-spinner');
  const spinner = yoctoSpinner({ text: label, stream, handleSignals: false }).start();
  active = spinner;
  let finished: number | undefined;
  return {
    finish(ok) {
      if (finished !== undefined) return finished;
      finished = elapsed();
      const text = `${label} (${formatDuration(finished)})`;
      if (ok) spinner.success(text);
      else spinner.error(text);
      if (active === spinner) active = undefined;
      return finished;
    },
  };
}

/** Stops a running spinner (and shows the cursor again) before the process exits on an interrupt. */
export function stopActiveProgress(): void {
  active?.stop();
  active = undefined;
}
