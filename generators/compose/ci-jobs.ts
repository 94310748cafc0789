/**
 * Deploy jobs of the Compose target, provider-neutral: each v* release goes
 * to the Compose host over SSH after a reviewer approves, and a manual job
 * goes back to an earlier release. Both verify the image's keyless signature
 * first; scripts/deploy-compose.sh checks the tag resolves to that digest.
 */
import type { Facts } from '../core/facts.ts';
import type { CiJob, CiStep } from '../core/slots.ts';

export const COMPOSE_DEPLOY_SCRIPT = 'scripts/deploy-compose.sh';

const verifySignature: CiStep = {
  name: 'Verify the image signature',
  run: 'cosign verify "$IMAGE@$IMAGE_DIGEST" --certificate-oidc-issuer "$SIGNER_ISSUER" --certificate-identity-regexp "$SIGNER_IDENTITY" > /dev/null',
};

/** The Compose host's deployment environment: "production", or "production-compose" beside Kubernetes. */
export function composeEnvironment(facts: Facts): string {
  return facts.deploysToKubernetes ? 'production-compose' : 'production';
}

/** deploy-production and rollback, named deploy-compose and rollback-compose beside the Kubernetes jobs. */
export function composeCiJobs(facts: Facts): CiJob[] {
  const environment = { name: composeEnvironment(facts), approval: true };
  const shared = { needs: [] as string[], services: [], node: false, tools: ['cosign' as const, 'ssh' as const], artifacts: [], caches: [], permissions: {}, timeoutMinutes: 20 };
  return [
    {
      ...shared,
      name: facts.deploysToKubernetes ? 'deploy-compose' : 'deploy-production',
      stage: 'deploy',
      on: { tags: true },
      needs: ['publish-image'],
      env: { IMAGE: facts.image },
      environment,
      steps: [verifySignature, { name: 'Deploy to the Compose host', run: `sh ${COMPOSE_DEPLOY_SCRIPT} "\${RELEASE_TAG#v}" "$IMAGE_DIGEST"` }],
    },
    {
      ...shared,
      name: facts.deploysToKubernetes ? 'rollback-compose' : 'rollback',
      stage: 'manual',
      on: { manual: true },
      env: { IMAGE: facts.image },
      environment,
      inputs: [
        { name: 'IMAGE_TAG', description: 'Released version to go back to, e.g. 1.4.2', pattern: '^[0-9]+[.][0-9]+[.][0-9]+$' },
        { name: 'IMAGE_DIGEST', description: 'Digest of that release (sha256:...), from its GitHub or GitLab release', pattern: '^sha256:[0-9a-f]{64}$' },
      ],
      steps: [verifySignature, { name: 'Deploy the earlier release', run: `sh ${COMPOSE_DEPLOY_SCRIPT} "$IMAGE_TAG" "$IMAGE_DIGEST"` }],
    },
  ];
}
