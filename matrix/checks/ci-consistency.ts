/**
 * The CI files against the rest of the project:
 * - every `npm run X` (and `npm test`) a job runs is a script of package.json,
 *   and no job runs `npm install` (lockfile installs only: `npm ci`);
 * - every script a job runs (`sh path.sh`, `./path.sh`) exists;
 * - every `uses:` is pinned to a 40-hex commit SHA with a `# vX.Y.Z` comment
 *   (local `./` workflows aside);
 * - every job and service image is pinned by digest (`@sha256:`);
 * - every GitHub job has `timeout-minutes`; every GitLab job has `rules:`
 *   and a `timeout`, and none uses `only:` or `except:`;
 * - every deploy targets something that exists: the Kubernetes overlay each
 *   `scripts/deploy-kubernetes.sh <environment>` names (or each option of the
 *   input it takes), each `kubectl apply -k` path, and compose.production.yaml
 *   and the Caddyfile for scripts/deploy-compose.sh;
 * - the provider-neutral jobs are the same set under GitHub Actions and GitLab
 *   CI: the other provider is rendered from the same answers (.yo-rc.json)
 *   and the job names are compared (GitHub's security.yml jobs are
 *   GitHub-only; GitLab's Trivy jobs are GitLab-only and its other scanners
 *   come from included templates). GitLab jobs are read from .gitlab-ci.yml
 *   and the files it includes with `include: local:`.
 *
 *   node matrix/checks/ci-consistency.ts <project-dir>
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone } from '../support/direct-run.ts';
import { GITHUB_ONLY_WORKFLOWS, GITLAB_ONLY_JOBS, githubJobs, gitlabJobs, usesLines, type DeclaredJob } from './ci/pipelines.ts';

const PINNED_USES = /^(?:-\s+)?uses:\s+[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}\s+#\s+v?\d+(?:\.\d+)*\s*$/;
const PINNED_IMAGE = /@sha256:[0-9a-f]{64}$/;

/** Sources whose output this check compares: changing them must invalidate cached verdicts. */
const RENDERER_SOURCES = [
  'generators/github-actions',
  'generators/gitlab-ci',
  'generators/core/ci.ts',
  'generators/core/slots.ts',
  'generators/service/ci-job.ts',
  'generators/container/ci-job.ts',
  'generators/kubernetes/ci-jobs.ts',
  'generators/compose/ci-jobs.ts',
];

function rendererHash(): string {
  const root = join(import.meta.dirname, '..', '..');
  const hash = createHash('sha256');
  const add = (relative: string) => {
    const absolute = join(root, relative);
    if (!existsSync(absolute)) return;
    if (relative.endsWith('.ts')) hash.update(relative).update(readFileSync(absolute));
    else for (const entry of readdirSync(absolute).sort()) add(`${relative}/${entry}`);
  };
  RENDERER_SOURCES.forEach(add);
  return hash.digest('hex').slice(0, 12);
}

/** Findings about what the jobs run: npm scripts, script files and deploy targets. */
export function scriptFindings(directory: string, jobs: readonly DeclaredJob[]): Finding[] {
  const findings: Finding[] = [];
  const packageJson = existsSync(join(directory, 'package.json')) ? (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }) : {};
  const scripts = packageJson.scripts ?? {};
  const exists = (path: string) => existsSync(join(directory, path));
  for (const job of jobs) {
    const where = (text: string) => ({ file: job.file, message: `job ${job.name}: ${text}` });
    for (const script of job.scripts) {
      for (const match of script.matchAll(/\bnpm\s+(?:run(?:-script)?\s+([A-Za-z0-9:._-]+)|(test|start)\b)/g)) {
        const name = (match[1] ?? match[2]) as string;
        if (!(name in scripts)) findings.push(where(`runs npm script "${name}", which package.json does not define`));
      }
      if (/\bnpm\s+(?:install|i|add)\b/.test(script)) findings.push(where('runs npm install; CI installs exactly the lockfile with npm ci'));
      for (const match of script.matchAll(/(?:^|[\s;&|(])(?:sh|bash)\s+((?:\.\/)?[\w./-]+\.sh)\b|(?:^|[\s;&|(])\.\/([\w./-]+\.sh)\b/gm)) {
        const path = ((match[1] ?? match[2]) as string).replace(/^\.\//, '');
        if (!exists(path)) findings.push(where(`runs ${path}, which does not exist`));
      }
      for (const match of script.matchAll(/scripts\/deploy-kubernetes\.sh\s+("?\$\{?(\w+)\}?"?|[\w-]+)/g)) {
        const variable = match[2];
        const environments = variable ? job.inputOptions[variable] ?? [] : [match[1] as string];
        if (variable && environments.length === 0) findings.push(where(`deploys to the environment in $${variable}, an input without a list of options`));
        for (const environment of environments) {
          if (!exists(`deploy/kubernetes/overlays/${environment}/kustomization.yaml`)) findings.push(where(`deploys to ${environment}, which has no overlay deploy/kubernetes/overlays/${environment}`));
        }
      }
      for (const match of script.matchAll(/kubectl\s+apply\s+(?:[^\n]*\s)?-k\s+([\w./-]+)/g)) {
        if (!exists(`${match[1] as string}/kustomization.yaml`)) findings.push(where(`applies ${match[1] as string}, which has no kustomization.yaml`));
      }
      if (/scripts\/deploy-compose\.sh/.test(script)) {
        for (const path of ['compose.production.yaml', 'Caddyfile']) if (!exists(path)) findings.push(where(`deploys with Compose, but ${path} does not exist`));
      }
    }
  }
  return findings;
}

/** Findings about pinning: actions by commit SHA with a version comment, images by digest. */
export function pinningFindings(directory: string, jobs: readonly DeclaredJob[]): Finding[] {
  const findings: Finding[] = [];
  for (const uses of usesLines(directory)) {
    const reference = uses.text.replace(/^(?:-\s+)?uses:\s+/, '');
    if (reference.startsWith('./')) continue;
    if (!PINNED_USES.test(uses.text)) findings.push({ file: uses.file, message: `line ${uses.line}: ${reference} is not pinned to a 40-hex commit SHA with a "# vX.Y.Z" comment` });
  }
  for (const job of jobs) {
    for (const image of new Set(job.images)) if (!PINNED_IMAGE.test(image)) findings.push({ file: job.file, message: `job ${job.name}: image ${image} is not pinned by digest (@sha256:...)` });
  }
  return findings;
}

/** Findings about job keys: time limits everywhere, GitLab `rules:` rather than only/except. */
export function jobKeyFindings(jobs: readonly DeclaredJob[]): Finding[] {
  const findings: Finding[] = [];
  for (const job of jobs) {
    const missing = (key: string) => findings.push({ file: job.file, message: `job ${job.name}: no ${key}` });
    if (job.file === '.gitlab-ci.yml' || job.file.startsWith('.gitlab/')) {
      if (!job.keys.includes('rules')) missing('rules:');
      if (!job.keys.includes('timeout')) missing('timeout');
      for (const key of ['only', 'except']) if (job.keys.includes(key)) findings.push({ file: job.file, message: `job ${job.name}: uses ${key}:, which rules: replaces` });
    } else if (!job.keys.includes('timeout-minutes')) missing('timeout-minutes');
  }
  return findings;
}

/** Whether a declared job is one of the provider-neutral jobs (not GitHub's security workflow, not GitLab's Trivy scans). */
const isNeutral = (job: DeclaredJob) => !GITHUB_ONLY_WORKFLOWS.has(job.file) && !(job.file.startsWith('.gitlab') && GITLAB_ONLY_JOBS.has(job.name));

/** The provider-neutral job names of a project's CI files. */
export function neutralJobNames(directory: string): string[] {
  return [...githubJobs(directory), ...gitlabJobs(directory)].filter(isNeutral).map((job) => job.name).sort();
}

/** Findings when the other provider, rendered from the same answers, declares a different set of jobs. */
export async function jobSetFindings(directory: string, jobs: readonly DeclaredJob[]): Promise<Finding[]> {
  const saved = JSON.parse(readFileSync(join(directory, '.yo-rc.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  const { version: _version, ...answers } = saved['create-prodready-app'] ?? {};
  const provider = answers.ci;
  if (provider !== 'github' && provider !== 'gitlab') return [{ file: '.yo-rc.json', message: `CI files exist, but the saved answers say --ci ${String(provider)}` }];
  const other = provider === 'github' ? 'gitlab' : 'github';
  const { renderProject } = await import('../../generators/app/render.ts');
  const rendered = await renderProject({ ...answers, ci: other });
  const scratch = mkdtempSync(join(tmpdir(), 'ci-consistency-'));
  try {
    for (const [path, content] of rendered.files) {
      if (!path.startsWith('.github/') && path !== '.gitlab-ci.yml' && !path.startsWith('.gitlab/')) continue;
      mkdirSync(dirname(join(scratch, path)), { recursive: true });
      writeFileSync(join(scratch, path), content);
    }
    const ours = jobs.filter(isNeutral).map((job) => job.name);
    const theirs = neutralJobNames(scratch);
    const label = (name: string) => (name === 'github' ? 'GitHub Actions' : 'GitLab CI');
    const findings: Finding[] = [];
    for (const name of ours.filter((job) => !theirs.includes(job)).sort()) findings.push({ message: `job ${name} is in the ${label(provider)} files but not in ${label(other)} rendered from the same answers` });
    for (const name of theirs.filter((job) => !ours.includes(job)).sort()) findings.push({ message: `job ${name} is in ${label(other)} rendered from the same answers but not in the ${label(provider)} files` });
    return findings;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export const ciConsistencyCheck: Check = {
  name: 'ci-consistency',
  inputs: ['.github/**', '.gitlab-ci.yml', '.gitlab/**', 'package.json', '.yo-rc.json'],
  presence: ['scripts/**', 'deploy/kubernetes/overlays/*/kustomization.yaml', 'compose.production.yaml', 'Caddyfile'],
  appliesTo: ['.github/workflows/*.yml', '.gitlab-ci.yml'],
  async tool(): Promise<string> {
    return `own rules, CI renderers sha256 ${rendererHash()}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const jobs = [...githubJobs(directory), ...gitlabJobs(directory)];
    if (jobs.length === 0) return [{ message: 'no CI job found in .github/workflows or .gitlab-ci.yml' }];
    context.log(`jobs: ${jobs.map((job) => job.name).join(', ')}`);
    return [...scriptFindings(directory, jobs), ...pinningFindings(directory, jobs), ...jobKeyFindings(jobs), ...(await jobSetFindings(directory, jobs))];
  },
};

export default ciConsistencyCheck;

if (import.meta.main) await runStandalone(ciConsistencyCheck);
