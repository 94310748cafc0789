/**
 * The update notice: after a successful interactive run, says when a newer
 * version of the generator is on the npm registry, with the command that
 * runs it. update-notifier does the look-up in a detached child process (so a
 * run never waits for the registry, and an offline machine only loses the
 * notice), caches what it learnt for a day in its config store
 * (~/.config/configstore), and stays silent without a TTY, with CI set, with
 * NO_UPDATE_NOTIFIER, NODE_ENV=test or --no-update-notifier. It is imported
 * only at the end of such a run, so it costs the start-up nothing.
 */

/** How often the registry is asked, in milliseconds: once a day. */
export const UPDATE_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface UpdateNoticeContext {
  /** The installed version (package.json). */
  version: string;
  /** Whether the run asked questions (a person at a terminal); automation gets no notice. */
  interactive: boolean;
  /** --no-update-notifier. */
  disabled: boolean;
}

/**
 * Prints the notice on stderr when an earlier look-up found a newer version,
 * and starts the next look-up when the last one is a day old. Never throws:
 * a broken config store or registry only means no notice.
 */
export async function showUpdateNotice(context: UpdateNoticeContext): Promise<void> {
  if (!context.interactive || context.disabled || !process.stdout.isTTY) return;
  try {
    const { default: updateNotifier } = await import('update-notifier');
    const notifier = updateNotifier({
      pkg: { name: 'create-prodready-app', version: context.version },
      updateCheckInterval: UPDATE_CHECK_INTERVAL_MS,
      // `npm create prodready-app` runs through npm: the notice is still for the user.
      shouldNotifyInNpmScript: true,
    });
    notifier.notify({
      defer: false,
      isGlobal: false,
      message: 'create-prodready-app {latestVersion} is available (this is {currentVersion}).\nRun it with: npx create-prodready-app@latest',
    });
  } catch {
    // The notice is a convenience: nothing about it may fail a run.
  }
}
