/**
 * Replaces `latest-version` inside the CLI bundle. yeoman-generator calls it
 * only for dependencies added without a version; every version this CLI
 * writes comes from generators/core/versions.json. The real package's HTTP
 * client costs ~35 ms of every start.
 */
export default function latestVersion(packageName: string): never {
  throw new Error(`create-prodready-app pins every dependency; ${packageName} has no version in versions.json`);
}
