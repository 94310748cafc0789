/**
 * What an interrupt (Ctrl-C, SIGINT) tells the user at each point of a run:
 * what is done and the exact commands left. The generator updates it as it
 * moves from step to step; the CLI prints it and exits 130.
 */

export const NOTHING_WRITTEN = 'Cancelled: nothing was written.';

let note = NOTHING_WRITTEN;

/** Sets what an interrupt from now on prints (one or more lines, no trailing newline). */
export function setInterruptNote(text: string): void {
  note = text;
}

/** What an interrupt now prints. */
export function interruptNote(): string {
  return note;
}
