/**
 * Reading generated CI files as data: the jobs each provider declares, the
 * shell lines they run, the images they pull and the actions they use.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** A job of either provider, as the check sees it. */
export interface DeclaredJob {
  file: string;
  name: string;
  /** Every shell line or block the job runs. */
  scripts: string[];
  /** Every container image the job pulls (job image, services). */
  images: string[];
  /** The job's own keys (timeout-minutes, rules, only, ...). */
  keys: string[];
  /** Values of `inputs.<name>` options of the file's workflow_dispatch, for jobs started by hand. */
  inputOptions: Record<string, string[]>;
}

type Mapping = Record<string, unknown>;
const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);
const lines = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap(lines) : []);

/** GitHub jobs that are not provider-neutral: the security scans and the call of the reusable deploy workflow. */
export const GITHUB_ONLY_WORKFLOWS = new Set(['.github/workflows/security.yml']);

/** GitLab jobs that are not provider-neutral: the Trivy scans (GitHub runs Trivy in security.yml). */
export const GITLAB_ONLY_JOBS = new Set(['trivy-config', 'trivy-image']);

/** The jobs of every workflow under .github/workflows; jobs that only call a reusable workflow are left out. */
export function githubJobs(directory: string): DeclaredJob[] {
  const root = join(directory, '.github', 'workflows');
  if (!existsSync(root)) return [];
  const jobs: DeclaredJob[] = [];
  for (const name of readdirSync(root).filter((file) => /\.ya?ml$/.test(file)).sort()) {
    const file = `.github/workflows/${name}`;
    const workflow = parse(readFileSync(join(root, name), 'utf8')) as Mapping;
    const dispatch = isMapping(workflow.on) && isMapping(workflow.on.workflow_dispatch) ? workflow.on.workflow_dispatch : undefined;
    const inputOptions: Record<string, string[]> = {};
    if (dispatch && isMapping(dispatch.inputs)) {
      for (const [input, declaration] of Object.entries(dispatch.inputs)) if (isMapping(declaration) && Array.isArray(declaration.options)) inputOptions[input] = declaration.options.map(String);
    }
    for (const [id, job] of Object.entries(isMapping(workflow.jobs) ? workflow.jobs : {})) {
      if (!isMapping(job) || typeof job.uses === 'string') continue;
      const steps = Array.isArray(job.steps) ? job.steps.filter(isMapping) : [];
      const images: string[] = [];
      const container = job.container;
      if (typeof container === 'string') images.push(container);
      else if (isMapping(container) && typeof container.image === 'string') images.push(container.image);
      for (const service of Object.values(isMapping(job.services) ? job.services : {})) if (isMapping(service) && typeof service.image === 'string') images.push(service.image);
      for (const step of steps) if (typeof step.uses === 'string' && step.uses.startsWith('docker://')) images.push(step.uses.slice('docker://'.length));
      jobs.push({ file, name: id, scripts: steps.flatMap((step) => lines(step.run)), images, keys: Object.keys(job), inputOptions });
    }
  }
  return jobs;
}

/** GitLab's global keywords: top-level keys that are not jobs. */
const GITLAB_KEYWORDS = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'types', 'pages:deploy']);

/** The `include: local:` paths of a GitLab pipeline document, project-relative (a leading `/` is the project root). */
export function localIncludes(pipeline: Record<string, unknown>): string[] {
  const entries = Array.isArray(pipeline.include) ? pipeline.include : pipeline.include === undefined ? [] : [pipeline.include];
  return entries
    .map((entry) => (typeof entry === 'string' && !/^https?:/.test(entry) ? entry : isMapping(entry) && typeof entry.local === 'string' ? entry.local : undefined))
    .filter((path): path is string => path !== undefined)
    .map((path) => path.replace(/^\//, ''));
}

/** The GitLab pipeline files: .gitlab-ci.yml and the files it includes with `include: local:` (those that exist), with their parsed documents. */
export function gitlabFiles(directory: string): { file: string; document: Mapping }[] {
  const root = join(directory, '.gitlab-ci.yml');
  if (!existsSync(root)) return [];
  const pipeline = parse(readFileSync(root, 'utf8')) as Mapping;
  const included = localIncludes(pipeline)
    .filter((file) => existsSync(join(directory, file)))
    .map((file) => ({ file, document: (parse(readFileSync(join(directory, file), 'utf8')) ?? {}) as Mapping }));
  return [{ file: '.gitlab-ci.yml', document: pipeline }, ...included];
}

/** The jobs of .gitlab-ci.yml and its local includes (hidden `.name` templates left out), each with the global image, when set. */
export function gitlabJobs(directory: string): DeclaredJob[] {
  const files = gitlabFiles(directory);
  if (files.length === 0) return [];
  const pipeline = (files[0] as { document: Mapping }).document;
  const inputOptions: Record<string, string[]> = {};
  for (const [name, variable] of Object.entries(isMapping(pipeline.variables) ? pipeline.variables : {})) if (isMapping(variable) && Array.isArray(variable.options)) inputOptions[name] = variable.options.map(String);
  const imageOf = (value: unknown): string[] => (typeof value === 'string' ? [value] : isMapping(value) && typeof value.name === 'string' ? [value.name] : []);
  const globalImages = [...imageOf(pipeline.image), ...(Array.isArray(pipeline.services) ? pipeline.services.flatMap(imageOf) : [])];
  const jobs: DeclaredJob[] = [];
  for (const { file, document } of files) {
    for (const [name, job] of Object.entries(document)) {
      if (GITLAB_KEYWORDS.has(name) || name.startsWith('.') || !isMapping(job)) continue;
      jobs.push({
        file,
        name,
        scripts: [...lines(job.before_script), ...lines(job.script), ...lines(job.after_script)],
        images: [...imageOf(job.image), ...(Array.isArray(job.services) ? job.services.flatMap(imageOf) : []), ...globalImages],
        keys: Object.keys(job),
        inputOptions,
      });
    }
  }
  return jobs;
}

/** Every `uses:` line of the GitHub files, with its 1-based line number. */
export function usesLines(directory: string): { file: string; line: number; text: string }[] {
  const result: { file: string; line: number; text: string }[] = [];
  const visit = (relative: string) => {
    const absolute = join(directory, relative);
    if (!existsSync(absolute)) return;
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) visit(path);
      else if (/\.ya?ml$/.test(entry.name)) {
        readFileSync(join(directory, path), 'utf8')
          .split('\n')
          .forEach((text, index) => {
            if (/^\s*(-\s+)?uses:/.test(text)) result.push({ file: path, line: index + 1, text: text.trim() });
          });
      }
    }
  };
  visit('.github');
  return result;
}
