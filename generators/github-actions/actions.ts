/**
 * Third-party actions, each pinned to a full commit SHA from versions.json
 * ("actions"), with the release it is as a `# vX.Y.Z` comment so Dependabot
 * and reviewers see the version.
 */
import versions from '../core/versions.json' with { type: 'json' };

export type ActionName = keyof typeof versions.actions;

/** `owner/repo[/path]@<40-hex sha>`; the version comment is added by `withVersionComments`. */
export function action(name: ActionName, path = ''): string {
  return `${name}${path}@${versions.actions[name].sha}`;
}

/** Appends ` # vX.Y.Z` to every `uses:` line that names a pinned SHA of versions.json. */
export function withVersionComments(yaml: string): string {
  return yaml.replace(/^(\s*(?:- )?uses: ([\w.-]+\/[\w.-]+)[\w./-]*@([0-9a-f]{40}))$/gm, (line, _whole: string, name: string, sha: string) => {
    const pinned = versions.actions[name as ActionName];
    if (!pinned || pinned.sha !== sha) throw new Error(`${line.trim()}: not a SHA of versions.json actions`);
    return `${line} # ${pinned.version}`;
  });
}
