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
