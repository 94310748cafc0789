/** Values derived from the answers that several templates share. */
import type { Answers } from './options.ts';

export interface Project {
  /** Registry host, e.g. ghcr.io. */
  registryHost: string;
  /** Image repository without tag, e.g. ghcr.io/acme/orders-api. */
  image: string;
  /** Human title from the name, e.g. "Orders API". */
  title: string;
}

const REGISTRY_HOSTS: Record<string, string> = { ghcr: 'ghcr.io', dockerhub: 'docker.io' };
const ACRONYMS = new Set(['api', 'db', 'http', 'id', 'io', 'ui', 'sql', 'url']);

export function deriveProject(answers: Answers): Project {
  const registryHost = REGISTRY_HOSTS[answers.registry] ?? answers.registry;
  const title = answers.name
    .split('-')
    .map((word) => (ACRONYMS.has(word) ? word.toUpperCase() : word.charAt(0).toUpperCase() + word.slice(1)))
    .join(' ');
  return { registryHost, image: `${registryHost}/${answers.owner}/${answers.name}`, title };
}
