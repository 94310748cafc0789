/**
 * The GitHub repository files beside the workflows, built as data: the
 * security workflow, Dependabot, the changelog categories of generated
 * release notes, and the issue forms.
 */
import type { Facts } from '../core/facts.ts';
import { action } from './actions.ts';
import type { Workflow } from './workflows.ts';

/** CodeQL, dependency review, gitleaks and Trivy configuration scanning, on pull requests, main and weekly. */
export function securityWorkflow(): Workflow {
  const checkout = (full = false) => ({ name: 'Check out', uses: action('actions/checkout'), with: { 'persist-credentials': false, ...(full ? { 'fetch-depth': 0 } : {}) } });
  const job = (steps: Record<string, unknown>[], permissions: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    ...extra,
    'runs-on': 'ubuntu-24.04',
    'timeout-minutes': 30,
    permissions: { contents: 'read', ...permissions },
    steps,
  });
  return {
    path: '.github/workflows/security.yml',
    header: 'Security scanning: CodeQL, dependency review of pull requests, gitleaks over the history, Trivy configuration scan (CRITICAL and HIGH fail).',
    document: {
      name: 'Security',
      on: { pull_request: {}, push: { branches: ['main'] }, schedule: [{ cron: '17 4 * * 1' }] },
      permissions: {},
      concurrency: { group: '${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}', 'cancel-in-progress': "${{ github.event_name == 'pull_request' }}" },
      jobs: {
        codeql: job(
          [
            checkout(),
            { name: 'Initialize CodeQL', uses: action('github/codeql-action', '/init'), with: { languages: 'javascript-typescript', 'build-mode': 'none', queries: 'security-extended' } },
            { name: 'Analyze', uses: action('github/codeql-action', '/analyze'), with: { category: '/language:javascript-typescript' } },
          ],
          { 'security-events': 'write' },
        ),
        'dependency-review': job(
          [checkout(), { name: 'Review dependency changes', uses: action('actions/dependency-review-action'), with: { 'fail-on-severity': 'high', 'comment-summary-in-pr': 'never' } }],
          {},
          { if: "github.event_name == 'pull_request'" },
        ),
        gitleaks: job([checkout(true), { name: 'Scan for secrets', uses: action('gitleaks/gitleaks-action'), env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}', GITLEAKS_LICENSE: '${{ secrets.GITLEAKS_LICENSE }}' } }], {}),
        trivy: job(
          [
            checkout(),
            {
              name: 'Scan configuration (Dockerfile, manifests, compose)',
              uses: action('aquasecurity/trivy-action'),
              with: { 'scan-type': 'config', 'scan-ref': '.', severity: 'CRITICAL,HIGH', 'exit-code': '1', format: 'sarif', output: 'trivy-config.sarif' },
            },
            { name: 'Upload results to code scanning', if: 'always()', uses: action('github/codeql-action', '/upload-sarif'), with: { sarif_file: 'trivy-config.sarif', category: 'trivy-config' } },
          ],
          { 'security-events': 'write' },
        ),
      },
    },
  };
}

/** Weekly grouped updates for npm, the Dockerfile's base image and the pinned actions, each version at least a week old. */
export function dependabot(): Record<string, unknown> {
  const ecosystem = (name: string, group: Record<string, unknown>) => ({
    'package-ecosystem': name,
    directory: '/',
    schedule: { interval: 'weekly', day: 'monday' },
    cooldown: { 'default-days': 7 },
    groups: group,
    'open-pull-requests-limit': 5,
  });
  return {
    version: 2,
    updates: [
      ecosystem('npm', { production: { 'dependency-type': 'production', 'update-types': ['minor', 'patch'] }, development: { 'dependency-type': 'development', 'update-types': ['minor', 'patch'] } }),
      ecosystem('docker', { 'base-images': { patterns: ['*'] } }),
      ecosystem('github-actions', { actions: { patterns: ['*'] } }),
    ],
  };
}

/** Categories of the release notes GitHub drafts from merged pull requests ("Generate release notes"), by pull-request label; the published notes come from CHANGELOG.md. */
export function releaseNotes(): Record<string, unknown> {
  return {
    changelog: {
      exclude: { labels: ['ignore-for-release'] },
      categories: [
        { title: 'Breaking changes', labels: ['breaking-change'] },
        { title: 'Security', labels: ['security'] },
        { title: 'Features', labels: ['enhancement', 'feature'] },
        { title: 'Fixes', labels: ['bug', 'fix'] },
        { title: 'Dependencies', labels: ['dependencies'] },
        { title: 'Other changes', labels: ['*'] },
      ],
    },
  };
}

/** Issue forms: a bug report and a feature request. */
export function issueForms(facts: Facts): Record<string, Record<string, unknown>> {
  return {
    '.github/ISSUE_TEMPLATE/bug.yml': {
      name: 'Bug report',
      description: `Something in ${facts.title} does not work as documented.`,
      labels: ['bug'],
      body: [
        { type: 'textarea', id: 'what-happened', attributes: { label: 'What happened', description: 'What you did, what you expected and what happened instead.' }, validations: { required: true } },
        { type: 'textarea', id: 'reproduce', attributes: { label: 'Steps to reproduce', description: 'Requests, configuration and data that reproduce it.', render: 'shell' }, validations: { required: true } },
        { type: 'input', id: 'version', attributes: { label: 'Version', description: 'Image tag or commit.' }, validations: { required: true } },
        { type: 'textarea', id: 'logs', attributes: { label: 'Logs', description: 'Relevant log lines, with secrets and personal data removed.', render: 'text' } },
      ],
    },
    '.github/ISSUE_TEMPLATE/feature.yml': {
      name: 'Feature request',
      description: `A change to ${facts.title}'s behaviour or API.`,
      labels: ['enhancement'],
      body: [
        { type: 'textarea', id: 'problem', attributes: { label: 'Problem', description: 'What you are trying to do and why it is hard today.' }, validations: { required: true } },
        { type: 'textarea', id: 'proposal', attributes: { label: 'Proposal', description: 'The change you suggest and the alternatives you considered.' }, validations: { required: true } },
      ],
    },
    '.github/ISSUE_TEMPLATE/config.yml': { blank_issues_enabled: false },
  };
}
