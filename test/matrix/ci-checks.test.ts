/**
 * The CI checks pass the generated CI files and fail the faults they exist to
 * find, with the exact findings a user reads.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderProject } from '../../generators/app/render.ts';
import { defaultToolsDir } from '../../matrix/cache.ts';
import type { Check, CheckContext } from '../../matrix/check.ts';
import actionlint from '../../matrix/checks/actionlint.ts';
import ciConsistency from '../../matrix/checks/ci-consistency.ts';
import ciSchema from '../../matrix/checks/ci-schema.ts';
import zizmor from '../../matrix/checks/zizmor.ts';

const toolsDir = defaultToolsDir();
const context: CheckContext = { toolsDir, log: () => {} };
const scratch = mkdtempSync(join(tmpdir(), 'ci-checks-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const installed = (name: string) => existsSync(join(toolsDir, 'bin', name));

let directories = 0;
function write(files: ReadonlyMap<string, string> | Record<string, string>): string {
  const directory = join(scratch, String(directories++));
  for (const [path, content] of files instanceof Map ? files : Object.entries(files)) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), content);
  }
  return directory;
}

const github = renderProject({ name: 'orders-api', ci: 'github', deploy: 'both', database: 'postgres', cache: 'redis' });
const gitlab = renderProject({ name: 'orders-api', ci: 'gitlab', deploy: 'both', database: 'postgres', cache: 'redis' });
const run = async (check: Check, directory: string) => check.run(directory, context);

/** A workflow with an unpinned action, a pull-request title in a script and a script package.json lacks. */
const BAD_WORKFLOW = `name: CI
on:
  pull_request: {}
permissions: {}
jobs:
  greet:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - run: echo "\${{ github.event.pull_request.title }}"
      - run: npm run lint:all
`;

describe('actionlint', () => {
  it.skipIf(!installed('actionlint'))('passes the generated workflows and finds untrusted input in a script', async () => {
    expect(await actionlint.tool(context)).toMatch(/^actionlint v\d+\.\d+\.\d+, shellcheck \d+\.\d+\.\d+$/);
    expect(await run(actionlint, write((await github).files))).toEqual([]);
    expect(await run(actionlint, write({ '.github/workflows/ci.yml': BAD_WORKFLOW }))).toEqual([
      {
        file: '.github/workflows/ci.yml',
        message:
          'line 15:24: "github.event.pull_request.title" is potentially untrusted. avoid using it directly in inline scripts. instead, pass it through an environment variable. see https://docs.github.com/en/actions/reference/security/secure-use#good-practices-for-mitigating-script-injection-attacks for more details [expression]',
      },
    ]);
  });

  it.skipIf(!installed('actionlint'))('runs shellcheck on run: blocks', async () => {
    const workflow = BAD_WORKFLOW.replace('echo "${{ github.event.pull_request.title }}"', 'for f in $(ls *.txt); do cat $f; done').replace('npm run lint:all', 'true');
    const messages = (await run(actionlint, write({ '.github/workflows/ci.yml': workflow }))).map((finding) => finding.message);
    expect(messages.some((message) => message.includes('SC2045') && message.endsWith('[shellcheck]'))).toBe(true);
  });
});

describe('zizmor', () => {
  it.skipIf(!installed('zizmor'))('passes the generated GitHub files and finds template injection and an unpinned action', async () => {
    expect(await zizmor.tool(context)).toMatch(/^zizmor \d+\.\d+\.\d+$/);
    expect(await run(zizmor, write((await github).files))).toEqual([]);
    expect(await run(zizmor, write({ '.github/workflows/ci.yml': BAD_WORKFLOW }))).toEqual([
      { file: '.github/workflows/ci.yml', message: 'line 15: template-injection (High, High confidence): code injection via template expansion' },
      { file: '.github/workflows/ci.yml', message: 'line 12: unpinned-uses (High, High confidence): unpinned action reference' },
    ]);
  });
});

describe('ci-schema', () => {
  it.skipIf(!installed('check-jsonschema'))('passes the generated files and finds keys the schemas do not allow', async () => {
    expect(await run(ciSchema, write((await github).files))).toEqual([]);
    expect(await run(ciSchema, write((await gitlab).files))).toEqual([]);
    const findings = await run(ciSchema, write({ '.github/workflows/ci.yml': BAD_WORKFLOW.replace('timeout-minutes: 5', 'timeout: 5'), '.gitlab-ci.yml': 'test:\n  script: [true]\n  when: sometimes\n' }));
    expect(findings.map((finding) => finding.file)).toEqual(expect.arrayContaining(['.github/workflows/ci.yml', '.gitlab-ci.yml']));
    expect(findings.find((finding) => finding.file === '.github/workflows/ci.yml')?.message).toMatch(/^vendor\.github-workflows \$\.jobs\.greet: /);
    expect(findings.find((finding) => finding.file === '.gitlab-ci.yml')?.message).toMatch(/^vendor\.gitlab-ci \$\.test/);
  });
});

describe('ci-consistency', () => {
  it('passes the generated projects of both providers', async () => {
    expect(await run(ciConsistency, write((await github).files))).toEqual([]);
    expect(await run(ciConsistency, write((await gitlab).files))).toEqual([]);
  });

  it('finds a missing npm script, unpinned references, a deploy without an overlay and a job the other provider lacks', async () => {
    const files = new Map((await gitlab).files);
    const pipeline = (files.get('.gitlab-ci.yml') as string).replace('sh scripts/deploy-kubernetes.sh staging', 'sh scripts/deploy-kubernetes.sh qa').replace(/^deploy-staging:/m, 'deploy-qa:');
    const testJobs = (files.get('.gitlab/ci/test.yml') as string)
      .replace('npm run lint', 'npm run lint:all')
      .replace(/(image: node:[\w.-]+)@sha256:[0-9a-f]{64}/, '$1')
      .replace(/^(ci:\n(?:  .*\n)*?)  rules:\n(?:    .*\n)+/m, '$1  only:\n    - main\n');
    files.set('.gitlab-ci.yml', pipeline);
    files.set('.gitlab/ci/test.yml', testJobs);
    expect(await run(ciConsistency, write(files))).toEqual([
      { file: '.gitlab-ci.yml', message: 'job deploy-qa: deploys to qa, which has no overlay deploy/kubernetes/overlays/qa' },
      { file: '.gitlab/ci/test.yml', message: 'job ci: runs npm script "lint:all", which package.json does not define' },
      { file: '.gitlab/ci/test.yml', message: 'job ci: image node:24.18.0-bookworm-slim is not pinned by digest (@sha256:...)' },
      { file: '.gitlab/ci/test.yml', message: 'job ci: no rules:' },
      { file: '.gitlab/ci/test.yml', message: 'job ci: uses only:, which rules: replaces' },
      { message: 'job deploy-qa is in the GitLab CI files but not in GitHub Actions rendered from the same answers' },
      { message: 'job deploy-staging is in GitHub Actions rendered from the same answers but not in the GitLab CI files' },
    ]);
  });

  it('finds an action pinned to a tag and a script that does not exist', async () => {
    const files = new Map((await github).files);
    files.set('.github/workflows/ci.yml', (files.get('.github/workflows/ci.yml') as string).replace(/actions\/checkout@[0-9a-f]{40} # v[\d.]+/, 'actions/checkout@v4').replace('npm run build', 'sh scripts/build.sh'));
    const findings = await run(ciConsistency, write(files));
    expect(findings).toEqual([
      { file: '.github/workflows/ci.yml', message: 'job ci: runs scripts/build.sh, which does not exist' },
      { file: '.github/workflows/ci.yml', message: expect.stringMatching(/^line \d+: actions\/checkout@v4 is not pinned to a 40-hex commit SHA with a "# vX\.Y\.Z" comment$/) },
    ]);
  });
});
