/**
 * Trivy in the GitLab pipeline, as GitHub's security workflow runs it: the
 * configuration (Dockerfile, Kubernetes manifests, Compose) on every merge
 * request, main and tag, and the pushed image by digest after the image job;
 * CRITICAL and HIGH findings fail the job, and deploys need the image scan.
 * GitLab-only jobs: GitHub scans in security.yml, outside the neutral jobs.
 */
import type { Facts } from '../core/facts.ts';
import { pinnedImage } from '../core/versions.ts';
import { ON_MAIN, ON_MERGE_REQUEST, ON_TAG } from './rules.ts';

export const TRIVY_CONFIG_JOB = 'trivy-config';
export const TRIVY_IMAGE_JOB = 'trivy-image';

/** The severities that fail a scan (the same as GitHub's Trivy step). */
export const FAILING_SEVERITIES = 'CRITICAL,HIGH';


// The image's entrypoint is `trivy`; GitLab runs the script through a shell, so it is cleared.
const image = () => ({ name: pinnedImage('trivy'), entrypoint: [''] });

/** The Trivy jobs, keyed by name; the image scan only when a job (`imageJob`) publishes an image. */
export function trivyJobs(facts: Facts, imageJob: string | undefined): Record<string, Record<string, unknown>> {
  const common = { image: image(), interruptible: true, timeout: '15 minutes' };
  const jobs: Record<string, Record<string, unknown>> = {
    [TRIVY_CONFIG_JOB]: {
      stage: 'test',
      ...common,
      needs: [],
      variables: { TRIVY_NO_PROGRESS: 'true', TRIVY_CACHE_DIR: '.trivy-cache' },
      rules: [{ if: ON_MERGE_REQUEST }, { if: ON_MAIN }, { if: ON_TAG }],
      script: [`trivy config --exit-code 1 --severity ${FAILING_SEVERITIES} --skip-dirs .trivy-cache .`],
      cache: { key: 'trivy', paths: ['.trivy-cache/'] },
    },
  };
  if (imageJob) {
    jobs[TRIVY_IMAGE_JOB] = {
      stage: 'release',
      ...common,
      interruptible: false,
      needs: [{ job: imageJob, artifacts: true }],
      variables: {
        IMAGE: facts.image,
        // The registry credentials the image job pushes with.
        TRIVY_USERNAME: '$REGISTRY_USERNAME',
        TRIVY_PASSWORD: '$REGISTRY_PASSWORD',
        TRIVY_NO_PROGRESS: 'true',
        TRIVY_CACHE_DIR: '.trivy-cache',
      },
      rules: [{ if: ON_MAIN }, { if: ON_TAG }],
      script: [
        'case "$IMAGE_DIGEST" in sha256:*) ;; *) echo "No image digest from the image job" >&2; exit 1 ;; esac',
        `trivy image --exit-code 1 --severity ${FAILING_SEVERITIES} "$IMAGE@$IMAGE_DIGEST"`,
      ],
    };
  }
  return jobs;
}
