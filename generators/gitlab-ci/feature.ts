/**
 * GitLab CI/CD: every provider-neutral job of the ciJobs slot in
 * .gitlab-ci.yml and the test-stage file it includes (built as data and
 * serialized), with the tool installer its deploy and release jobs use.
 */
import type { Feature } from '../core/feature.ts';
import { pipelineYaml } from '../core/ci.ts';
import { ciAdr, ciChecklist } from '../core/ci-decisions.ts';
import { adrsSlot, checklistSlot, ciJobsSlot, readmeSlot } from '../core/slots.ts';
import { gitlabPipelineFiles, TEST_JOBS_FILE } from './pipeline.ts';

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
  files: (facts, assembled) => {
    const headers: Record<string, string> = {
      '.gitlab-ci.yml': `Pipeline of ${facts.title} (README.md, "CI/CD"): tests on merge requests and main, a signed and scanned image on main and v* tags, deploys by digest.`,
      [TEST_JOBS_FILE]: `Test stage of ${facts.title}, included by .gitlab-ci.yml: format, lint, type check, tests with coverage against the service containers, build.`,
    };
    const documents = gitlabPipelineFiles(facts, assembled.get(ciJobsSlot));
    return Object.fromEntries(Object.entries(documents).map(([path, document]) => [path, pipelineYaml(headers[path] ?? path, document)]));
  },
};
