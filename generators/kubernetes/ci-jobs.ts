/**
 * Deploy jobs of the Kubernetes target, provider-neutral: staging after every
 * release from main, production from a v* tag after a reviewer approves, and
 * a manual rollback to a given digest. Each verifies the image's keyless
 * signature before scripts/deploy-kubernetes.sh deploys it by digest.
 */
import type { Facts } from '../core/facts.ts';
import type { CiJob, CiStep } from '../core/slots.ts';

export const DEPLOY_SCRIPT = 'scripts/deploy-kubernetes.sh';

/** Fails unless the digest carries a signature from this repository's release pipeline. */
export const verifySignatureStep: CiStep = {
  name: 'Verify the image signature',
  run: 'cosign verify "$IMAGE@$IMAGE_DIGEST" --certificate-oidc-issuer "$SIGNER_ISSUER" --certificate-identity-regexp "$SIGNER_IDENTITY" > /dev/null',
};

function deployJob(facts: Facts, environment: 'staging' | 'production'): CiJob {
  const host = environment === 'staging' ? `${facts.name}.staging.example.com` : `${facts.name}.example.com`;
  return {
    name: `deploy-${environment}`,
    stage: 'deploy',
    on: environment === 'staging' ? { main: true } : { tags: true },
    needs: ['publish-image'],
    services: [],
    env: { IMAGE: facts.image },
    node: false,
    tools: ['cosign', 'kubectl'],
    steps: [verifySignatureStep, { name: `Deploy to ${environment}`, run: `sh ${DEPLOY_SCRIPT} ${environment} "$IMAGE_DIGEST"` }],
    artifacts: [],
    caches: [],
    environment: { name: environment, url: `https://${host}`, approval: environment === 'production' },
    permissions: {},
    timeoutMinutes: 30,
  };
}

/** deploy-staging, deploy-production and rollback. */
export function kubernetesCiJobs(facts: Facts): CiJob[] {
  return [
    deployJob(facts, 'staging'),
    deployJob(facts, 'production'),
    {
      name: 'rollback',
      stage: 'manual',
      on: { manual: true },
      needs: [],
      services: [],
      env: { IMAGE: facts.image },
      node: false,
      tools: ['cosign', 'kubectl'],
      inputs: [
        { name: 'ENVIRONMENT', description: 'Environment to roll back', options: ['staging', 'production'] },
        { name: 'IMAGE_DIGEST', description: 'Digest of the image to go back to (sha256:...), from the release or `kubectl rollout history`', pattern: '^sha256:[0-9a-f]{64}$' },
      ],
      // The environment the ENVIRONMENT input names, with its secrets and protection rules.
      environment: { name: '$ENVIRONMENT', approval: false },
      steps: [verifySignatureStep, { name: 'Deploy the previous digest', run: `sh ${DEPLOY_SCRIPT} "$ENVIRONMENT" "$IMAGE_DIGEST"` }],
      artifacts: [],
      caches: [],
      permissions: {},
      timeoutMinutes: 30,
    },
  ];
}
