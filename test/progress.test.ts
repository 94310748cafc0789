/** How long steps are shown: durations and clock times for people, and the plain lines a non-terminal gets. */
import { describe, expect, it } from 'vitest';
import { clockTime, formatDuration, startStep } from '../generators/core/progress.ts';

/** A stream that is not a terminal and keeps what is written to it. */
function captured(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = { isTTY: false, write: (chunk: string) => chunks.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('progress', () => {
  it.each([
    [0, '0.0 s'],
    [449, '0.4 s'],
    [12_345, '12.3 s'],
    [59_949, '59.9 s'],
    [60_000, '1 min 00 s'],
    [125_400, '2 min 05 s'],
  ])('formatDuration(%i) is %s', (milliseconds, text) => {
    expect(formatDuration(milliseconds)).toBe(text);
  });

  it('clockTime pads hours, minutes and seconds to two digits', () => {
    expect(clockTime(new Date(2026, 0, 2, 3, 4, 5))).toBe('03:04:05');
    expect(clockTime(new Date(2026, 0, 2, 23, 59, 59))).toBe('23:59:59');
  });

  it('without a terminal a step writes a start line and one end line with its outcome and time, however often it is finished', async () => {
    const ok = captured();
    const step = await startStep('Installing dependencies with npm', ok.stream);
    const duration = step.finish(true);
    expect(step.finish(false)).toBe(duration);
    expect(ok.text()).toMatch(/^\[\d\d:\d\d:\d\d\] Installing dependencies with npm…\n\[\d\d:\d\d:\d\d\] Installing dependencies with npm… done in \d+\.\d s\n$/);

    const failed = captured();
    (await startStep('Creating a git repository', failed.stream)).finish(false);
    expect(failed.text()).toMatch(/\n\[\d\d:\d\d:\d\d\] Creating a git repository… failed after \d+\.\d s\n$/);
  });
});
