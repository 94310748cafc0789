/**
 * A failure of `upgrade`, `add` or `remove` that is not bad input: a dirty git
 * work tree, a generator version that cannot be installed or run. The CLI
 * prints the message and exits 1; nothing was written.
 */
export class UpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpdateError';
  }
}
