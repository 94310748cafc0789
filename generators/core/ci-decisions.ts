/**
 * The decision record and security-checklist items both CI features
 * contribute: the provider the project chose and the supply-chain controls
 * its pipeline enforces (OWASP Top 10:2025 A03 Software Supply Chain Failures
 * and A08 Software or Data Integrity Failures).
 */
import type { Adr, ChecklistItem } from './slots.ts';

export type CiProvider = 'GitHub Actions' | 'GitLab CI/CD';

/** MADR record: the CI provider and the supply-chain controls of its pipeline. */
export function ciAdr(provider: CiProvider, projectTitle: string): Adr {
  const other: CiProvider = provider === 'GitHub Actions' ? 'GitLab CI/CD' : 'GitHub Actions';
  const pinning = provider === 'GitHub Actions' ? 'every action pinned to a full commit SHA' : 'every image pinned by digest and GitLab templates included from the instance';
  const providerOption = (name: CiProvider) => ({
    title: `${name} with signed, attested images`,
    description:
      name === 'GitHub Actions'
        ? 'Workflows in `.github/workflows/`, environments with required reviewers, keyless signing with the workflow identity, build provenance attestations, CodeQL and Dependabot.'
        : 'One `.gitlab-ci.yml` with stages, protected environments, keyless signing through `id_tokens`, and the GitLab SAST, dependency and secret detection templates.',
    pros:
      name === 'GitHub Actions'
        ? ['Native OIDC identity for keyless cosign signatures and provenance attestations.', 'Environments with required reviewers gate production.', 'Dependabot keeps npm, the base image and the actions current.']
        : ['Pipeline, registry and environments in one place, with `resource_group` serialising deploys.', 'OIDC `id_tokens` for keyless signing without stored keys.', 'Security scanners maintained by GitLab as templates.'],
    cons:
      name === 'GitHub Actions'
        ? ['Third-party actions run with the job token: each must be pinned and reviewed on update.']
        : ['The security templates need GitLab Ultimate for the merge-request security widget (the scans themselves run on every tier).'],
  });
  return {
    slug: 'ci-cd-supply-chain',
    title: `Build, sign and deploy ${projectTitle} with ${provider}`,
    status: 'accepted',
    order: 50,
    context: `${projectTitle} is tested on every change and released as a container image that staging and production run by digest. Whoever can change the pipeline or an image between build and deploy controls production, so the pipeline itself is part of the attack surface.`,
    drivers: [
      'Every change passes the same quality gate a developer runs locally.',
      'What runs in production is exactly the image that was built, tested and signed.',
      'No long-lived signing keys or registry passwords in the pipeline where the platform can issue short-lived identities.',
      'Pipeline dependencies (actions, images, templates) cannot change under the project without a reviewed update.',
    ],
    options: [
      providerOption(provider),
      providerOption(other),
      { title: 'A self-hosted CI server (Jenkins)', pros: ['Full control over runners and plugins.'], cons: ['Plugins, runners and credentials to patch and secure by hand.', 'No built-in OIDC identity for keyless signing.'] },
    ],
    outcome: {
      chosen: `${provider} with signed, attested images`,
      because: `the repository already lives there, it issues short-lived OIDC identities for keyless signing, and it gates production on a reviewed environment, with ${pinning}.`,
    },
    consequences: {
      good: [
        'Deploys verify the cosign signature of the exact digest before anything changes in the environment.',
        'Every release carries an SPDX and a CycloneDX SBOM attested to the image digest.',
        'A compromised tag of a third-party action or image cannot change the pipeline: references are immutable.',
      ],
      bad: ['Pinned references must be updated through the dependency bot and reviewed like code.', `Moving to ${other} means rewriting the pipeline files, though the jobs and scripts stay the same.`],
    },
    confirmation:
      provider === 'GitHub Actions'
        ? 'The matrix runs actionlint (with shellcheck on every `run:`), zizmor and the GitHub workflow and Dependabot JSON schemas on the generated workflows, and checks that every `uses:` is a 40-hex SHA and every image is pinned by digest.'
        : 'The matrix validates `.gitlab-ci.yml` against the GitLab CI JSON schema and checks that every image is pinned by digest, every job uses `rules:`, and the jobs match the GitHub Actions rendering of the same project.',
  };
}

/** Checklist items for pinned pipeline dependencies, signed images and SBOMs. */
export function ciChecklist(provider: CiProvider, pipelineFile: string, releaseFile: string, deployFile: string): ChecklistItem[] {
  return [
    {
      id: 'ci-pinned-dependencies',
      category: 'A03',
      asvs: ['V15.2.1'],
      text:
        provider === 'GitHub Actions'
          ? 'Every third-party action is pinned to a full commit SHA and every service image by digest; Dependabot proposes updates after a cooldown.'
          : 'Every job image and service is pinned by digest; updates arrive as reviewed merge requests.',
      implementedBy: { file: pipelineFile },
    },
    {
      id: 'ci-sbom',
      category: 'A03',
      asvs: ['V15.1.2'],
      text: 'Every released image has an SPDX and a CycloneDX SBOM (syft), attested to its digest and kept with the release.',
      implementedBy: { file: releaseFile },
    },
    {
      id: 'ci-signed-images',
      category: 'A08',
      // ASVS 5.0 has no level 1-2 requirement on artifact signing.
      asvs: [],
      text: 'Images are signed keyless with cosign on their digest; every deploy verifies the signature and the signer identity before it changes the environment.',
      implementedBy: { file: deployFile },
    },
  ];
}
