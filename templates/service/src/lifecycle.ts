/**
 * Process state during shutdown: once it begins the service stops being
 * ready (while still serving through the drain); once the server closes,
 * responses also close their connections.
 */
export class Lifecycle {
  #shuttingDown = false;
  #closing = false;

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** The drain is over and the server is closing. */
  get closing(): boolean {
    return this.#closing;
  }

  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  beginClosing(): void {
    this.#shuttingDown = true;
    this.#closing = true;
  }
}
