/**
 * Cleanup that must happen however the run ends: normal completion, a thrown
 * error, SIGINT or SIGTERM. Handlers run once, newest first.
 */
type Handler = { async: () => Promise<void>; sync: () => void };

const handlers = new Set<Handler>();
let installed = false;

function runSync(): void {
  for (const handler of [...handlers].reverse()) {
    try {
      handler.sync();
    } catch {
      // Exiting: nothing more can be done about a failed cleanup.
    }
  }
  handlers.clear();
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  process.stderr.write(`\n${signal}: stopping servers and removing scratch files\n`);
  for (const handler of [...handlers].reverse()) {
    handlers.delete(handler);
    await handler.async().catch(() => handler.sync());
  }
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('SIGINT', (signal) => void onSignal(signal));
  process.once('SIGTERM', (signal) => void onSignal(signal));
  process.once('exit', runSync);
}

/**
 * Registers a cleanup: `async` for orderly stops, `sync` for process exit
 * (where only synchronous work runs). Returns a function that runs the async
 * cleanup now and unregisters it.
 */
export function onCleanup(async: () => Promise<void>, sync: () => void): () => Promise<void> {
  install();
  const handler = { async, sync };
  handlers.add(handler);
  return async () => {
    if (!handlers.delete(handler)) return;
    await async();
  };
}
