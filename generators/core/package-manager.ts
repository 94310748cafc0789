/**
 * The package manager a user ran the generator through, from the
 * `npm_config_user_agent` variable that npm, pnpm, yarn and bun set for the
 * commands they run (e.g. "pnpm/10.12.1 npm/? node/v24.11.0 linux x64").
 */

/** Package managers other than npm that set npm_config_user_agent. */
const OTHER_PACKAGE_MANAGERS = new Set(['pnpm', 'yarn', 'bun']);

/** The name of the package manager in a user agent string when it is pnpm, yarn or bun; undefined for npm, other tools or no agent. */
export function otherPackageManager(userAgent: string | undefined): string | undefined {
  const name = userAgent?.trim().split('/')[0]?.toLowerCase();
  return name !== undefined && OTHER_PACKAGE_MANAGERS.has(name) ? name : undefined;
}

/** The one-line note printed when the generator runs through pnpm, yarn or bun; undefined otherwise. */
export function packageManagerNote(userAgent: string | undefined): string | undefined {
  const manager = otherPackageManager(userAgent);
  if (manager === undefined) return undefined;
  return `Note: you ran this with ${manager}, but the project uses npm (package-lock.json, npm ci in CI and in the Dockerfile): install and run its scripts with npm.`;
}
