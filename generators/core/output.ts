/** Terminal output that respects NO_COLOR and non-TTY streams. */
const useColor = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') && process.env.TERM !== 'dumb';

function paint(code: number, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? `\u001B[${code}m${text}\u001B[0m` : text;
}

export const style = {
  bold: (text: string, stream?: NodeJS.WriteStream) => paint(1, text, stream),
  dim: (text: string, stream?: NodeJS.WriteStream) => paint(2, text, stream),
  red: (text: string, stream?: NodeJS.WriteStream) => paint(31, text, stream),
  green: (text: string, stream?: NodeJS.WriteStream) => paint(32, text, stream),
  cyan: (text: string, stream?: NodeJS.WriteStream) => paint(36, text, stream),
};

/** A spinner on a TTY; one line per step elsewhere (CI logs stay readable). */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): { stop(ok: boolean, detail?: string): void } {
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  if (!stream.isTTY) {
    stream.write(`${label}...\n`);
    return { stop: (ok, detail) => void stream.write(`${label}: ${ok ? 'done' : 'failed'} in ${seconds()}${detail ? ` (${detail})` : ''}\n`) };
  }
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let frame = 0;
  const timer = setInterval(() => {
    stream.write(`\r${paint(36, frames[frame++ % frames.length] as string, stream)} ${label} ${style.dim(seconds(), stream)}`);
  }, 80);
  return {
    stop(ok, detail) {
      clearInterval(timer);
      const mark = ok ? paint(32, '✔', stream) : paint(31, '✖', stream);
      stream.write(`\r\u001B[2K${mark} ${label} ${style.dim(`${seconds()}${detail ? `, ${detail}` : ''}`, stream)}\n`);
    },
  };
}

type Log = ((...args: unknown[]) => unknown) & Record<string, unknown>;

/**
 * Yeoman logs "An error occured while running ..." before rethrowing; the CLI
 * prints the error itself, with its own wording, so that line is dropped.
 */
export function withoutTaskErrorLine(log: Log): Log {
  const wrapped = ((...args: unknown[]) => log(...args)) as Log;
  for (const key of Object.keys(log)) wrapped[key] = log[key];
  wrapped.error = (message: unknown, ...rest: unknown[]) =>
    typeof message === 'string' && message.startsWith('An error occured while running') ? wrapped : (log.error as Log)(message, ...rest);
  return wrapped;
}
