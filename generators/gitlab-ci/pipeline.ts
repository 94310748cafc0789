/**
 * The GitLab pipeline from the provider-neutral jobs of the ciJobs slot:
 * .gitlab-ci.yml (stages test, release, deploy and manual) including
 * .gitlab/ci/test.yml, which holds the test-stage jobs. `rules:` on every job
 * (never only/except); every image and service pinned by digest; the image
 * job signs keyless with an `id_tokens` identity; Trivy scans the
 * configuration and the pushed image (CRITICAL and HIGH fail, and deploys
 * need the image scan); deploys run in a `resource_group` per environment,
 * production only by hand from a v* tag; GitLab's SAST, dependency scanning
 * and secret detection templates.
 */
import type { Facts } from '../core/facts.ts';
import { inputValidation, jobsOfStage } from '../core/ci.ts';
import type { CiJob } from '../core/slots.ts';
import { pinnedImage } from '../core/versions.ts';
import { BY_HAND, ON_MAIN, ON_MERGE_REQUEST, ON_TAG } from './rules.ts';
import { trivyJobs, TRIVY_IMAGE_JOB } from './trivy.ts';

export const INSTALL_TOOLS_SCRIPT = 'scripts/ci/install-tools.sh';
/** The included file with the test-stage jobs (lint, type check, tests with services). */
export const TEST_JOBS_FILE = '.gitlab/ci/test.yml';


/** The keyless signer every deploy accepts: this project's pipeline on main or a v* tag. */
export function gitlabSigner(facts: Facts): { issuer: string; identity: string } {
  return { issuer: 'https://gitlab.com', identity: `^https://gitlab\\.com/${facts.owner}/${facts.name}//\\.gitlab-ci\\.yml@refs/(heads/main|tags/v.+)$` };
}

function rules(job: CiJob): Record<string, unknown>[] {
  const manualByApproval = job.environment?.approval === true;
  const list: Record<string, unknown>[] = [];
  if (job.on.pullRequest) list.push({ if: ON_MERGE_REQUEST });
  if (job.on.main) list.push({ if: ON_MAIN, ...(manualByApproval ? { when: 'manual' } : {}) });
  if (job.on.tags) list.push({ if: ON_TAG, ...(manualByApproval ? { when: 'manual' } : {}) });
  if (job.on.manual) list.push({ if: BY_HAND, when: 'manual' });
  return list;
}

/** Job image and services: Node.js jobs run in the runtime image, docker jobs talk to a TLS dind service, the rest in the docker CLI image (sh, wget, ssh). */
function runtime(job: CiJob, facts: Facts): Record<string, unknown> {
  if (job.node) return { image: facts.runtimeImage };
  // The release: keyword runs glab (GitLab CLI), which GitLab documents in place of the deprecated release-cli.
  if (job.release) return { image: pinnedImage('glab') };
  if (job.tools?.includes('docker')) {
    return { image: pinnedImage('docker'), services: [{ name: pinnedImage('dockerDaemon'), alias: 'docker' }] };
  }
  return { image: pinnedImage('docker') };
}

function variables(job: CiJob, facts: Facts): Record<string, string> {
  const result: Record<string, string> = { ...job.env, COMMIT_SHA: '$CI_COMMIT_SHA', RELEASE_TAG: '$CI_COMMIT_TAG' };
  if (job.tools?.includes('docker')) {
    Object.assign(result, { DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_CERTDIR: '/certs', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs/client' });
  }
  if (job.tools?.includes('cosign') && !job.idToken) {
    const signer = gitlabSigner(facts);
    result.SIGNER_ISSUER = signer.issuer;
    result.SIGNER_IDENTITY = signer.identity;
  }
  return result;
}

function beforeScript(job: CiJob, facts: Facts): string[] {
  const lines: string[] = [];
  const validation = inputValidation(job);
  if (validation) lines.push(validation);
  if (job.node) lines.push('npm ci');
  const installs = (job.tools ?? []).filter((tool) => tool === 'cosign' || tool === 'syft' || tool === 'kubectl');
  if (installs.length > 0) lines.push(`sh ${INSTALL_TOOLS_SCRIPT} ${installs.flatMap((tool) => (tool === 'kubectl' ? ['kubectl', 'kustomize'] : [tool])).join(' ')}`);
  if (job.tools?.includes('ssh')) {
    lines.push('install -d -m 700 ~/.ssh', 'install -m 600 "$DEPLOY_SSH_KEY" ~/.ssh/id_ed25519', 'install -m 600 "$DEPLOY_KNOWN_HOSTS" ~/.ssh/known_hosts');
  }
  if (job.tools?.includes('docker')) {
    // QEMU handlers in the (privileged) Docker daemon, so BuildKit can build the non-native platforms.
    lines.push(`docker run --privileged --rm ${pinnedImage('binfmt')} --install arm64`, 'docker buildx create --use --driver docker-container');
  }
  if (job.registryLogin) lines.push(`printf '%s' "$REGISTRY_PASSWORD" | docker login ${facts.registryHost} --username "$REGISTRY_USERNAME" --password-stdin`);
  return lines;
}

/**
 * The `release:` keyword (GitLab creates the release after the script) with
 * links to the image by digest and to the SBOMs, which the job keeps as its
 * own artifacts for as long as the release exists.
 */
function release(spec: NonNullable<CiJob['release']>, facts: Facts): Record<string, unknown> {
  const links = [
    { name: `Container image ${facts.image}@$IMAGE_DIGEST`, url: `https://${facts.image}@$IMAGE_DIGEST`, link_type: 'image' },
    ...spec.assets.paths.map((path) => ({ name: path, url: `$CI_PROJECT_URL/-/jobs/$CI_JOB_ID/artifacts/raw/${path}`, link_type: 'other' })),
  ];
  return {
    release: { tag_name: '$CI_COMMIT_TAG', name: '$CI_COMMIT_TAG', description: `./${spec.notesFile}`, assets: { links } },
    artifacts: { paths: spec.assets.paths, expire_in: 'never' },
  };
}

/** The jobs a job waits for: its neutral needs, plus the image scan for every job that needs the image job (a failing scan blocks promotion). */
function needs(job: CiJob, imageJob: string | undefined): { job: string; artifacts: boolean }[] {
  const names = [...job.needs];
  if (imageJob && names.includes(imageJob)) names.push(TRIVY_IMAGE_JOB);
  return names.map((name) => ({ job: name, artifacts: name !== TRIVY_IMAGE_JOB }));
}

/** One neutral job as a GitLab CI job; `imageJob` names the job publishing the image, when there is one. */
export function gitlabJob(job: CiJob, facts: Facts, imageJob?: string): Record<string, unknown> {
  const services = job.services.map((service) => ({ name: service.image, alias: service.name, ...(service.env ? { variables: service.env } : {}) }));
  const environmentName = job.environment?.name;
  const pathsArtifacts = job.artifacts.flatMap((artifact) => artifact.paths);
  const artifact = job.artifacts[0];
  const hasArtifacts = pathsArtifacts.length > 0 || (job.outputs?.length ?? 0) > 0;
  const base = runtime(job, facts);
  const before = beforeScript(job, facts);
  return {
    stage: job.stage ?? 'test',
    ...base,
    ...(services.length > 0 ? { services: [...((base.services as unknown[]) ?? []), ...services] } : {}),
    needs: needs(job, imageJob),
    ...(job.idToken ? { id_tokens: { SIGSTORE_ID_TOKEN: { aud: 'sigstore' } } } : {}),
    variables: variables(job, facts),
    ...(environmentName
      ? {
          environment: { name: environmentName, ...(job.environment?.url ? { url: job.environment.url } : {}), ...(/^(staging|production)$/.test(environmentName) ? { deployment_tier: environmentName } : {}) },
          resource_group: environmentName,
          interruptible: false,
        }
      : { interruptible: job.stage === 'test' }),
    timeout: `${job.timeoutMinutes} minutes`,
    rules: rules(job),
    ...(before.length > 0 ? { before_script: before } : {}),
    script: job.steps.map((step) => step.run),
    ...(job.release ? release(job.release, facts) : {}),
    ...(hasArtifacts
      ? {
          artifacts: {
            ...(pathsArtifacts.length > 0 ? { paths: pathsArtifacts } : {}),
            ...(job.outputs?.length ? { reports: { dotenv: 'ci-outputs.env' } } : {}),
            expire_in: `${artifact?.expireDays ?? 30} days`,
            when: artifact?.when ?? 'on_success',
          },
        }
      : {}),
  };
}

/**
 * The pipeline files, keyed by path: .gitlab-ci.yml and the included
 * TEST_JOBS_FILE. Test-stage jobs live in their own file so that what the
 * test stage runs can be read (and proven) without the deploy jobs.
 */
export function gitlabPipelineFiles(facts: Facts, jobs: readonly CiJob[]): Record<string, Record<string, unknown>> {
  const inputs = jobs.flatMap((job) => job.inputs ?? []);
  const declared = new Map(inputs.map((input) => [input.name, input]));
  const imageJob = jobs.find((job) => job.outputs?.includes('IMAGE_DIGEST'));
  const render = (list: readonly CiJob[]) => Object.fromEntries(list.map((job) => [job.name, gitlabJob(job, facts, imageJob?.name)]));
  const testJobs = jobsOfStage(jobs, 'test');
  const root = {
    workflow: {
      rules: [{ if: ON_MERGE_REQUEST }, { if: '$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS', when: 'never' }, { if: ON_MAIN }, { if: ON_TAG }, { if: BY_HAND }, { if: '$CI_PIPELINE_SOURCE == "schedule"' }],
      auto_cancel: { on_new_commit: 'interruptible' },
    },
    stages: ['test', 'release', 'deploy', 'manual'],
    include: [
      ...(testJobs.length > 0 ? [{ local: TEST_JOBS_FILE }] : []),
      { template: 'Jobs/SAST.gitlab-ci.yml' },
      { template: 'Jobs/Dependency-Scanning.gitlab-ci.yml' },
      { template: 'Jobs/Secret-Detection.gitlab-ci.yml' },
    ],
    ...(declared.size > 0
      ? {
          // Inputs of the manual jobs, prefilled in "Run pipeline"; each job validates them before use.
          variables: Object.fromEntries(
            [...declared.values()].map((input) => [input.name, { value: input.options?.[0] ?? '', ...(input.options ? { options: input.options } : {}), description: input.description }]),
          ),
        }
      : {}),
    ...trivyJobs(facts, imageJob?.name),
    ...render(jobs.filter((job) => !testJobs.includes(job))),
  };
  return { '.gitlab-ci.yml': root, ...(testJobs.length > 0 ? { [TEST_JOBS_FILE]: render(testJobs) } : {}) };
}
