/**
 * The project name becomes the npm package name, the container image name and
 * Kubernetes object names, so it must satisfy npm and DNS-1123 label rules.
 */
import validateNpmPackageName from 'validate-npm-package-name';

const MAX_DNS_LABEL = 63;

export function projectNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name === '') return ['must not be empty'];
  if (name.length > MAX_DNS_LABEL) problems.push(`is ${name.length} characters long; Kubernetes names allow at most ${MAX_DNS_LABEL}`);
  if (/[A-Z]/.test(name)) problems.push('contains uppercase letters');
  if (/[^a-zA-Z0-9-]/.test(name)) problems.push('may contain only lowercase letters, digits and "-"');
  if (/^-|-$/.test(name)) problems.push('must start and end with a letter or digit');
  if (/^[0-9]/.test(name) && problems.length === 0) problems.push('must start with a letter (it also names containers and DNS records)');
  if (problems.length > 0) return problems;
  // Character rules above are stricter than npm's; npm adds reserved names such as core modules.
  const npm = validateNpmPackageName(name);
  return [...(npm.errors ?? []), ...(npm.warnings ?? [])].map((message) => `is rejected by npm (${message})`);
}

/** The closest valid name, or undefined when nothing usable is left. */
export function suggestProjectName(name: string): string | undefined {
  const suggestion = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, MAX_DNS_LABEL)
    .replace(/-+$/, '');
  return suggestion !== '' && projectNameProblems(suggestion).length === 0 ? suggestion : undefined;
}
