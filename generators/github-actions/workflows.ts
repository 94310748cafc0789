/**
 * GitHub Actions workflows from the provider-neutral jobs of the ciJobs slot:
 * ci.yml (test jobs, pull requests and main), release.yml (release jobs on
 * main and v* tags, then deploy.yml), deploy.yml (deploy jobs, a reusable
 * workflow taking the released digest) and one workflow_dispatch workflow per
 * manual job (rollback.yml). Every workflow starts with `permissions: {}`;
 * jobs get read access to the repository plus exactly the scopes they list.
 */
import type { Facts } from '../core/facts.ts';
import { inputValidation, jobsOfStage } from '../core/ci.ts';
import type { CiJob } from '../core/slots.ts';
import { action } from './actions.ts';

type Step = Record<string, unknown>;

const RUNNER = 'ubuntu-24.04';
const RELEASE_TAG = "${{ startsWith(github.ref, 'refs/tags/v') && github.ref_name || '' }}";

/** The keyless signer every deploy accepts: this repository's release workflow on main or a v* tag. */
export function githubSigner(facts: Facts): { issuer: string; identity: string } {
  return {
    issuer: 'https://token.actions.githubusercontent.com',
    identity: `^https://github\\.com/${facts.owner}/${facts.name}/\\.github/workflows/release\\.yml@refs/(heads/main|tags/v.+)$`,
  };
}

const checkout: Step = { name: 'Check out', uses: action('actions/checkout'), with: { 'persist-credentials': false } };

function registryLogin(facts: Facts): Step {
  if (facts.registryHost === 'ghcr.io') {
    return { name: 'Log in to ghcr.io', uses: action('docker/login-action'), with: { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' } };
  }
  return {
    name: `Log in to ${facts.registryHost}`,
    uses: action('docker/login-action'),
    with: { registry: facts.registryHost, username: '${{ secrets.REGISTRY_USERNAME }}', password: '${{ secrets.REGISTRY_PASSWORD }}' },
  };
}

function toolSteps(job: CiJob): Step[] {
  const steps: Step[] = [];
  const tools = new Set(job.tools ?? []);
  if (tools.has('docker')) {
    steps.push({ name: 'Set up QEMU', uses: action('docker/setup-qemu-action') }, { name: 'Set up Buildx', uses: action('docker/setup-buildx-action') });
  }
  if (tools.has('cosign')) steps.push({ name: 'Install cosign', uses: action('sigstore/cosign-installer') });
  if (tools.has('syft')) steps.push({ name: 'Install syft', uses: action('anchore/sbom-action', '/download-syft') });
  if (tools.has('kubectl')) {
    // kubectl and kustomize come with the ubuntu-24.04 runner image.
    steps.push({
      name: 'Configure cluster access',
      env: { KUBECONFIG_DATA: '${{ secrets.KUBECONFIG }}' },
      run: ['install -d -m 700 ~/.kube', '(umask 077 && printf \'%s\\n\' "$KUBECONFIG_DATA" > ~/.kube/config)', 'kubectl version --client', 'kustomize version'].join('\n'),
    });
  }
  if (tools.has('ssh')) {
    steps.push({
      name: 'Configure SSH to the Compose host',
      env: { DEPLOY_SSH_KEY: '${{ secrets.DEPLOY_SSH_KEY }}', DEPLOY_KNOWN_HOSTS: '${{ secrets.DEPLOY_KNOWN_HOSTS }}' },
      run: [
        'install -d -m 700 ~/.ssh',
        '(umask 077 && printf \'%s\\n\' "$DEPLOY_SSH_KEY" > ~/.ssh/id_ed25519 && printf \'%s\\n\' "$DEPLOY_KNOWN_HOSTS" > ~/.ssh/known_hosts)',
      ].join('\n'),
    });
  }
  return steps;
}

function when(job: CiJob): string | undefined {
  const conditions: string[] = [];
  if (job.on.main) conditions.push("github.ref == 'refs/heads/main'");
  if (job.on.tags) conditions.push("startsWith(github.ref, 'refs/tags/v')");
  return job.stage === 'deploy' || job.stage === 'release' ? conditions.join(' || ') || undefined : undefined;
}

/** Environment of the job's steps: its own, the neutral CI variables, and where inputs and outputs come from. */
function jobEnv(job: CiJob, facts: Facts, digestFrom: 'inputs' | undefined): Record<string, string> {
  const env: Record<string, string> = { ...job.env, COMMIT_SHA: '${{ github.sha }}', RELEASE_TAG };
  if (job.tools?.includes('cosign') && job.stage !== 'release') {
    const signer = githubSigner(facts);
    env.SIGNER_ISSUER = signer.issuer;
    env.SIGNER_IDENTITY = signer.identity;
  }
  if (job.tools?.includes('ssh')) {
    env.DEPLOY_HOST = '${{ vars.DEPLOY_HOST }}';
    env.DEPLOY_PATH = '${{ vars.DEPLOY_PATH }}';
  }
  for (const input of job.inputs ?? []) env[input.name] = `\${{ inputs.${input.name} }}`;
  if (digestFrom === 'inputs' && job.needs.length > 0) env.IMAGE_DIGEST = '${{ inputs.image-digest }}';
  // A release job after the image job, in the same workflow: the digest is that job's output.
  if (digestFrom === undefined && job.release) env.IMAGE_DIGEST = `\${{ needs.${job.release.assets.job}.outputs.IMAGE_DIGEST }}`;
  return env;
}

/** One neutral job as a GitHub Actions job. */
export function githubJob(job: CiJob, facts: Facts, options: { digestFrom?: 'inputs'; needs?: string[] } = {}): Record<string, unknown> {
  const condition = when(job);
  const services = Object.fromEntries(
    job.services.map((service) => [
      service.name,
      {
        image: service.image,
        ...(service.env ? { env: service.env } : {}),
        ...(service.healthCommand ? { options: `--health-cmd "${service.healthCommand}" --health-interval 5s --health-timeout 5s --health-retries 10` } : {}),
      },
    ]),
  );
  const steps: Step[] = [checkout];
  if (job.release) {
    steps.push({ name: `Download ${job.release.assets.artifact}`, uses: action('actions/download-artifact'), with: { name: job.release.assets.artifact } });
  }
  if (job.node) steps.push({ name: 'Install dependencies', run: 'npm ci' });
  steps.push(...toolSteps(job));
  if (job.registryLogin) steps.push(registryLogin(facts));
  const validation = inputValidation(job);
  if (validation) steps.push({ name: 'Validate inputs', run: validation });
  for (const step of job.steps) steps.push({ name: step.name, run: step.run, ...(step.env ? { env: step.env } : {}) });
  if (job.outputs?.length) {
    steps.push({ name: 'Publish outputs', id: 'outputs', run: 'cat ci-outputs.env >> "$GITHUB_OUTPUT"' });
  }
  if (job.outputs?.includes('IMAGE_DIGEST')) {
    steps.push({
      name: 'Attest build provenance',
      uses: action('actions/attest-build-provenance'),
      with: { 'subject-name': job.env.IMAGE, 'subject-digest': '${{ steps.outputs.outputs.IMAGE_DIGEST }}', 'push-to-registry': true },
    });
  }
  for (const artifact of job.artifacts) {
    steps.push({
      name: `Upload ${artifact.name}`,
      ...(artifact.when === 'always' ? { if: 'always()' } : artifact.when === 'on_failure' ? { if: 'failure()' } : {}),
      uses: action('actions/upload-artifact'),
      with: { name: artifact.name, path: artifact.paths.join('\n'), 'retention-days': artifact.expireDays, 'if-no-files-found': 'error' },
    });
  }
  if (job.release) {
    steps.push({
      name: 'GitHub Release',
      env: { GH_TOKEN: '${{ github.token }}' },
      run: `gh release create "$RELEASE_TAG" --verify-tag --title "$RELEASE_TAG" --notes-file ${job.release.notesFile} ${job.release.assets.paths.join(' ')}`,
    });
  }
  const permissions: Record<string, string> = { contents: 'read', ...job.permissions };
  if (job.outputs?.includes('IMAGE_DIGEST')) permissions.attestations = 'write';
  const needs = options.needs ?? job.needs;
  // "$NAME" names an input of a manual job.
  const environment = job.environment?.name.replace(/^\$(\w+)$/, '${{ inputs.$1 }}');
  return {
    name: job.name,
    ...(condition ? { if: condition } : {}),
    ...(needs.length > 0 ? { needs } : {}),
    'runs-on': RUNNER,
    ...(job.node ? { container: { image: facts.runtimeImage } } : {}),
    'timeout-minutes': job.timeoutMinutes,
    permissions,
    ...(environment ? { environment: { name: environment, ...(job.environment?.url ? { url: job.environment.url } : {}) } } : {}),
    ...(environment ? { concurrency: { group: `deploy-${environment}`, 'cancel-in-progress': false } } : {}),
    ...(Object.keys(services).length > 0 ? { services } : {}),
    ...(job.outputs?.length ? { outputs: Object.fromEntries(job.outputs.map((name) => [name, `\${{ steps.outputs.outputs.${name} }}`])) } : {}),
    env: jobEnv(job, facts, options.digestFrom),
    steps,
  };
}

const SECRET_DESCRIPTIONS: Record<string, string> = {
  KUBECONFIG: 'kubeconfig of the environment; an environment secret of the same name takes precedence',
  DEPLOY_SSH_KEY: 'SSH private key for the Compose host',
  DEPLOY_KNOWN_HOSTS: 'known_hosts line(s) of the Compose host',
};

/** The secrets the deploy jobs' tools read. */
function deploySecrets(jobs: readonly CiJob[]): string[] {
  const tools = new Set(jobs.flatMap((job) => job.tools ?? []));
  return [...(tools.has('kubectl') ? ['KUBECONFIG'] : []), ...(tools.has('ssh') ? ['DEPLOY_SSH_KEY', 'DEPLOY_KNOWN_HOSTS'] : [])];
}

export interface Workflow {
  path: string;
  header: string;
  document: Record<string, unknown>;
}

/** ci.yml, release.yml, deploy.yml and one workflow per manual job, from the neutral jobs. */
export function neutralWorkflows(facts: Facts, jobs: readonly CiJob[]): Workflow[] {
  const workflows: Workflow[] = [];
  const keyed = (list: CiJob[], options?: Parameters<typeof githubJob>[2]) => Object.fromEntries(list.map((job) => [job.name, githubJob(job, facts, options)]));
  const test = jobsOfStage(jobs, 'test');
  workflows.push({
    path: '.github/workflows/ci.yml',
    header: 'Quality gate of every pull request and of main: format, lint, type check, tests with coverage, build.',
    document: {
      name: 'CI',
      on: { pull_request: {}, push: { branches: ['main'] } },
      permissions: {},
      concurrency: { group: '${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}', 'cancel-in-progress': "${{ github.event_name == 'pull_request' }}" },
      jobs: keyed(test),
    },
  });
  const release = jobsOfStage(jobs, 'release');
  const deploy = jobsOfStage(jobs, 'deploy');
  const imageJob = release.find((job) => job.outputs?.includes('IMAGE_DIGEST'));
  workflows.push({
    path: '.github/workflows/release.yml',
    header: 'Release: on main and v* tags, build, sign and attest the image, then deploy it by digest (deploy.yml).',
    document: {
      name: 'Release',
      on: { push: { branches: ['main'], tags: ['v*'] } },
      permissions: {},
      concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': false },
      jobs: {
        ...keyed(release),
        ...(deploy.length > 0 && imageJob
          ? {
              deploy: {
                name: 'deploy',
                needs: [imageJob.name],
                permissions: { contents: 'read' },
                uses: './.github/workflows/deploy.yml',
                with: { 'image-digest': `\${{ needs.${imageJob.name}.outputs.IMAGE_DIGEST }}` },
                secrets: Object.fromEntries(deploySecrets(deploy).map((name) => [name, `\${{ secrets.${name} }}`])),
              },
            }
          : {}),
      },
    },
  });
  if (deploy.length > 0) {
    workflows.push({
      path: '.github/workflows/deploy.yml',
      header: 'Deploys a released, signed image by digest: staging from main, production from a v* tag after a reviewer approves the environment.',
      document: {
        name: 'Deploy',
        on: {
          workflow_call: {
            inputs: { 'image-digest': { description: 'Digest of the released image (sha256:...)', required: true, type: 'string' } },
            secrets: Object.fromEntries(deploySecrets(deploy).map((name) => [name, { description: SECRET_DESCRIPTIONS[name], required: false }])),
          },
        },
        permissions: {},
        jobs: keyed(deploy, { digestFrom: 'inputs', needs: [] }),
      },
    });
  }
  for (const job of jobsOfStage(jobs, 'manual')) {
    const inputs = Object.fromEntries(
      (job.inputs ?? []).map((input) => [
        input.name,
        input.options ? { description: input.description, required: true, type: 'choice', options: input.options } : { description: input.description, required: true, type: 'string' },
      ]),
    );
    workflows.push({
      path: `.github/workflows/${job.name}.yml`,
      header: `${job.name}: started by hand (Actions → ${job.name} → Run workflow); the inputs are validated before anything runs.`,
      document: {
        name: job.name,
        on: { workflow_dispatch: { inputs } },
        permissions: {},
        jobs: keyed([job]),
      },
    });
  }
  return workflows;
}
