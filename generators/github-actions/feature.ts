/**
 * GitHub Actions: every provider-neutral job of the ciJobs slot as workflows
 * (ci, release, deploy, rollback), plus the security workflow, Dependabot,
 * CODEOWNERS, the pull-request template, issue forms and release-note
 * categories. Workflow files are built as data and serialized.
 */
import type { Facts } from '../core/facts.ts';
import type { Feature } from '../core/feature.ts';
import { pipelineYaml } from '../core/ci.ts';
import { ciAdr, ciChecklist } from '../core/ci-decisions.ts';
import { adrsSlot, checklistSlot, ciJobsSlot, readmeSlot } from '../core/slots.ts';
import { withVersionComments } from './actions.ts';
import { dependabot, issueForms, releaseNotes, securityWorkflow } from './repository-files.ts';
import { neutralWorkflows } from './workflows.ts';

const yaml = (header: string, document: Record<string, unknown>) => withVersionComments(pipelineYaml(header, document));

/** Every file under .github/ built as data, keyed by path. */
export function githubFiles(facts: Facts, jobs: Parameters<typeof neutralWorkflows>[1]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const workflow of [...neutralWorkflows(facts, jobs), securityWorkflow()]) files[workflow.path] = yaml(workflow.header, workflow.document);
  files['.github/dependabot.yml'] = yaml('Dependency updates: weekly, grouped, each version at least 7 days old.', dependabot());
  files['.github/release.yml'] = yaml('Categories of the generated release notes, by pull-request label.', releaseNotes());
  for (const [path, form] of Object.entries(issueForms(facts))) files[path] = yaml('Issue form.', form);
  return files;
}

export const githubActionsFeature: Feature = {
  name: 'github-actions',
  summary: 'GitHub Actions: CI, security scanning, signed multi-arch releases with SBOM and provenance, gated deploys with rollback, Dependabot.',
  applies: (facts) => facts.usesGithubActions,
  reads: [ciJobsSlot],
  contribute: ({ facts, part }) => [
    readmeSlot.of({ title: 'CI/CD', order: 40, body: part('readme.md') }),
    adrsSlot.of(ciAdr('GitHub Actions', facts.title)),
    checklistSlot.of(
      ...ciChecklist('GitHub Actions', '.github/workflows/ci.yml', '.github/workflows/release.yml', '.github/workflows/deploy.yml'),
    ),
  ],
  files: (facts, assembled) => githubFiles(facts, assembled.get(ciJobsSlot)),
};
