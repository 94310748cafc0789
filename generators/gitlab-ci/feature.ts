/**
 * GitLab CI/CD: every provider-neutral job of the ciJobs slot in one
 * .gitlab-ci.yml (built as data and serialized), with the tool installer its
 * deploy and release jobs use.
 */
import type { Feature } from '../core/feature.ts';
import { pipelineYaml } from '../core/ci.ts';
import { ciAdr, ciChecklist } from '../core/ci-decisions.ts';
import { adrsSlot, checklistSlot, ciJobsSlot, readmeSlot } from '../core/slots.ts';
import { gitlabPipeline } from './pipeline.ts';

export const gitlabCiFeature: Feature = {
  name: 'gitlab-ci',
  summary: 'GitLab CI/CD: tests with services, SAST, dependency and secret detection, signed images with SBOM, gated deploys with rollback.',
  applies: (facts) => facts.usesGitlabCi,
  reads: [ciJobsSlot],
  contribute: ({ facts, part }) => [
    readmeSlot.of({ title: 'CI/CD', order: 40, body: part('readme.md') }),
    adrsSlot.of(ciAdr('GitLab CI/CD', facts.title)),
    checklistSlot.of(...ciChecklist('GitLab CI/CD', '.gitlab-ci.yml', '.gitlab-ci.yml', '.gitlab-ci.yml')),
  ],
  files: (facts, assembled) => ({
    '.gitlab-ci.yml': pipelineYaml(
      `Pipeline of ${facts.title} (README.md, "CI/CD"): tests on merge requests and main, a signed image on main and v* tags, deploys by digest.`,
      gitlabPipeline(facts, assembled.get(ciJobsSlot)),
    ),
  }),
};
