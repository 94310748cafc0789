/**
 * CI/CD as a user sees it: which files each --ci value writes, the same jobs
 * under both providers for every deploy target, pinned references only, and
 * the README section, decision record and checklist items that come with it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { renderProject } from '../generators/app/render.ts';
import versions from '../generators/core/versions.json' with { type: 'json' };
import { neutralJobNames } from '../matrix/checks/ci-consistency.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ci-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let written = 0;
function write(files: ReadonlyMap<string, string>): string {
  const root = join(scratch, String(written++));
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const ciFiles = (files: ReadonlyMap<string, string>) => [...files.keys()].filter((path) => path.startsWith('.github/') || path.startsWith('.gitlab') || path.startsWith('scripts/ci/')).sort();

describe('--ci', () => {
  it('github writes the workflows, Dependabot, CODEOWNERS and the templates, and no GitLab pipeline', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'github', deploy: 'kubernetes' });
    expect(ciFiles(files)).toEqual([
      '.github/CODEOWNERS',
      '.github/ISSUE_TEMPLATE/bug.yml',
      '.github/ISSUE_TEMPLATE/config.yml',
      '.github/ISSUE_TEMPLATE/feature.yml',
      '.github/dependabot.yml',
      '.github/pull_request_template.md',
      '.github/release.yml',
      '.github/workflows/ci.yml',
      '.github/workflows/deploy.yml',
      '.github/workflows/release.yml',
      '.github/workflows/rollback.yml',
      '.github/workflows/security.yml',
    ]);
    expect(files.get('.github/CODEOWNERS')).toContain('/.github/workflows/ @my-org');
    expect(files.get('README.md')).toContain('## CI/CD');
  });

  it('gitlab writes .gitlab-ci.yml, its test-stage include and its tool installer, and nothing under .github', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'gitlab', deploy: 'kubernetes' });
    expect(ciFiles(files)).toEqual(['.gitlab-ci.yml', '.gitlab/ci/test.yml', 'scripts/ci/install-tools.sh']);
    const pipeline = parse(files.get('.gitlab-ci.yml') as string) as Record<string, Record<string, unknown>>;
    expect(pipeline.include).toEqual([
      { local: '.gitlab/ci/test.yml' },
      { template: 'Jobs/SAST.gitlab-ci.yml' },
      { template: 'Jobs/Dependency-Scanning.gitlab-ci.yml' },
      { template: 'Jobs/Secret-Detection.gitlab-ci.yml' },
    ]);
    expect(Object.keys(parse(files.get('.gitlab/ci/test.yml') as string) as object)).toEqual(['ci']);
    expect(pipeline['deploy-production']).toMatchObject({ resource_group: 'production', rules: [{ if: '$CI_COMMIT_TAG =~ /^v/', when: 'manual' }] });
    expect(pipeline['deploy-staging']).toMatchObject({
      resource_group: 'staging',
      rules: [{ if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
      needs: [
        { job: 'publish-image', artifacts: true },
        { job: 'trivy-image', artifacts: false },
      ],
    });
    expect(pipeline['publish-image']).toMatchObject({ id_tokens: { SIGSTORE_ID_TOKEN: { aud: 'sigstore' } } });
    expect(files.get('.gitlab-ci.yml')).not.toMatch(/^\s+(only|except):/m);
  });

  it('none writes no CI file, README section, decision record or checklist item', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'none' });
    expect(ciFiles(files)).toEqual([]);
    expect(files.get('README.md')).not.toContain('## CI/CD');
    expect([...files.keys()].some((path) => path.includes('ci-cd-supply-chain'))).toBe(false);
  });
});

describe('jobs', () => {
  for (const deploy of ['kubernetes', 'compose', 'both'] as const) {
    it(`are the same set under GitHub Actions and GitLab CI with --deploy ${deploy}`, async () => {
      const answers = { name: 'orders-api', deploy, database: 'postgres', cache: 'redis' };
      const githubJobs = neutralJobNames(write((await renderProject({ ...answers, ci: 'github' })).files));
      const gitlabJobs = neutralJobNames(write((await renderProject({ ...answers, ci: 'gitlab' })).files));
      expect(githubJobs).toEqual(gitlabJobs);
      const expected = {
        kubernetes: ['ci', 'deploy-production', 'deploy-staging', 'publish-image', 'publish-release', 'rollback'],
        compose: ['ci', 'deploy-production', 'publish-image', 'publish-release', 'rollback'],
        both: ['ci', 'deploy-compose', 'deploy-production', 'deploy-staging', 'publish-image', 'publish-release', 'rollback', 'rollback-compose'],
      }[deploy];
      expect(githubJobs).toEqual(expected);
    });
  }

  it('pin every action to a commit SHA of versions.json with its version, and start from no permissions', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'github', deploy: 'both' });
    for (const [path, content] of files) {
      if (!path.startsWith('.github/workflows/')) continue;
      expect((parse(content) as { permissions?: unknown }).permissions, path).toEqual({});
      for (const [, name, sha, version] of content.matchAll(/uses: ([\w-]+\/[\w-]+)[\w/-]*@(\S+) # (\S+)/g)) {
        expect(versions.actions[name as keyof typeof versions.actions], `${path}: ${name}`).toMatchObject({ sha, version });
      }
      expect(content, path).not.toMatch(/uses: (?!\.\/)[^@\n]+@(?![0-9a-f]{40} # v)/);
    }
  });

  it('deploy production only through a reviewed environment, one deploy per environment at a time', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'github', deploy: 'kubernetes' });
    const deploy = parse(files.get('.github/workflows/deploy.yml') as string) as { jobs: Record<string, Record<string, unknown>> };
    expect(deploy.jobs['deploy-production']).toMatchObject({
      if: "startsWith(github.ref, 'refs/tags/v')",
      environment: { name: 'production', url: 'https://orders-api.example.com' },
      concurrency: { group: 'deploy-production', 'cancel-in-progress': false },
    });
    const steps = (deploy.jobs['deploy-production']?.steps as { name: string; run?: string }[]).map((step) => step.run ?? step.name);
    expect(steps.slice(-2)).toEqual([
      'cosign verify "$IMAGE@$IMAGE_DIGEST" --certificate-oidc-issuer "$SIGNER_ISSUER" --certificate-identity-regexp "$SIGNER_IDENTITY" > /dev/null',
      'sh scripts/deploy-kubernetes.sh production "$IMAGE_DIGEST"',
    ]);
  });
});

describe('decision record and checklist', () => {
  it('name the provider chosen and the supply-chain controls', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'gitlab' });
    const adr = [...files.entries()].find(([path]) => path.startsWith('docs/adr/') && path.endsWith('ci-cd-supply-chain.md'));
    expect(adr?.[1]).toContain('Build, sign and deploy Orders API with GitLab CI/CD');
  });
});

describe('Trivy on GitLab', () => {
  it('scans the configuration on every change and the pushed digest before anything deploys or releases, CRITICAL and HIGH failing', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'gitlab', deploy: 'kubernetes' });
    const pipeline = parse(files.get('.gitlab-ci.yml') as string) as Record<string, Record<string, unknown>>;
    const trivy = `${versions.images.trivy.name}:${versions.images.trivy.tag}@${versions.images.trivy.digest}`;
    expect(trivy).toMatch(/^aquasec\/trivy:0\.69\.3@sha256:[0-9a-f]{64}$/);
    expect(pipeline['trivy-config']).toMatchObject({
      stage: 'test',
      image: { name: trivy, entrypoint: [''] },
      script: ['trivy config --exit-code 1 --severity CRITICAL,HIGH --skip-dirs .trivy-cache .'],
    });
    expect(pipeline['trivy-image']).toMatchObject({
      stage: 'release',
      image: { name: trivy, entrypoint: [''] },
      needs: [{ job: 'publish-image', artifacts: true }],
      variables: { TRIVY_USERNAME: '$REGISTRY_USERNAME', TRIVY_PASSWORD: '$REGISTRY_PASSWORD' },
    });
    expect((pipeline['trivy-image']?.script as string[]).at(-1)).toBe('trivy image --exit-code 1 --severity CRITICAL,HIGH "$IMAGE@$IMAGE_DIGEST"');
    for (const job of ['deploy-staging', 'deploy-production', 'publish-release']) {
      expect(pipeline[job]?.needs, job).toContainEqual({ job: 'trivy-image', artifacts: false });
    }
  });
});

describe('publish-release', () => {
  it('on GitLab: a v* tag only, the pinned glab image, notes from CHANGELOG.md, links to the image digest and the SBOMs', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'gitlab', deploy: 'kubernetes' });
    const pipeline = parse(files.get('.gitlab-ci.yml') as string) as Record<string, Record<string, unknown>>;
    const glab = versions.images.glab;
    expect(pipeline['publish-release']).toMatchObject({
      stage: 'release',
      image: `${glab.name}:${glab.tag}@${glab.digest}`,
      rules: [{ if: '$CI_COMMIT_TAG =~ /^v/' }],
      needs: [
        { job: 'publish-image', artifacts: true },
        { job: 'trivy-image', artifacts: false },
      ],
      release: {
        tag_name: '$CI_COMMIT_TAG',
        name: '$CI_COMMIT_TAG',
        description: './release-notes.md',
        assets: {
          links: [
            { name: 'Container image ghcr.io/my-org/orders-api@$IMAGE_DIGEST', url: 'https://ghcr.io/my-org/orders-api@$IMAGE_DIGEST', link_type: 'image' },
            { name: 'sbom.spdx.json', url: '$CI_PROJECT_URL/-/jobs/$CI_JOB_ID/artifacts/raw/sbom.spdx.json', link_type: 'other' },
            { name: 'sbom.cdx.json', url: '$CI_PROJECT_URL/-/jobs/$CI_JOB_ID/artifacts/raw/sbom.cdx.json', link_type: 'other' },
          ],
        },
      },
      artifacts: { paths: ['sbom.spdx.json', 'sbom.cdx.json'], expire_in: 'never' },
    });
  });

  it('on GitHub: a job after publish-image on v* tags that downloads the SBOMs and publishes the GitHub Release', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'github', deploy: 'kubernetes' });
    const release = parse(files.get('.github/workflows/release.yml') as string) as { jobs: Record<string, Record<string, unknown>> };
    expect(release.jobs['publish-release']).toMatchObject({
      if: "startsWith(github.ref, 'refs/tags/v')",
      needs: ['publish-image'],
      permissions: { contents: 'write' },
      env: { IMAGE: 'ghcr.io/my-org/orders-api', IMAGE_DIGEST: '${{ needs.publish-image.outputs.IMAGE_DIGEST }}' },
    });
    const steps = release.jobs['publish-release']?.steps as { name: string; run?: string; with?: Record<string, unknown> }[];
    expect(steps.map((step) => step.name)).toEqual(['Check out', 'Download sbom', 'Release notes from CHANGELOG.md', 'GitHub Release']);
    expect(steps[1]?.with).toEqual({ name: 'sbom' });
    expect(steps[3]?.run).toBe('gh release create "$RELEASE_TAG" --verify-tag --title "$RELEASE_TAG" --notes-file release-notes.md sbom.spdx.json sbom.cdx.json');
    expect(JSON.stringify(release.jobs['publish-image'])).not.toContain('gh release');
  });

  describe('release notes step', async () => {
    const { files } = await renderProject({ name: 'orders-api', ci: 'gitlab' });
    const script = ((parse(files.get('.gitlab-ci.yml') as string) as Record<string, { script: string[] }>)['publish-release']?.script ?? []).join('\n');
    const changelog = (sections: string) => `# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Next thing.\n\n${sections}[Unreleased]: https://example.com\n`;
    const runStep = (changelogText: string, tag: string) => {
      const directory = mkdtempSync(join(scratch, 'notes-'));
      writeFileSync(join(directory, 'CHANGELOG.md'), changelogText);
      const result = spawnSync('sh', ['-eu', '-c', script], {
        cwd: directory,
        env: { PATH: process.env.PATH, RELEASE_TAG: tag, IMAGE: 'ghcr.io/my-org/orders-api', IMAGE_DIGEST: `sha256:${'a'.repeat(64)}` },
        encoding: 'utf8',
      });
      const notes = join(directory, 'release-notes.md');
      return { code: result.status, stderr: result.stderr, notes: existsSync(notes) ? readFileSync(notes, 'utf8') : undefined };
    };

    it('writes the section of the tag\'s version and the released digest', () => {
      const text = changelog('## [1.2.0] - 2026-11-30\n\n### Fixed\n\n- Retries on 503.\n\n## [1.1.0] - 2026-10-01\n\n### Added\n\n- Older thing.\n\n');
      expect(runStep(text, 'v1.2.0')).toEqual({
        code: 0,
        stderr: '',
        notes: `\n### Fixed\n\n- Retries on 503.\n\n\nImage: ghcr.io/my-org/orders-api@sha256:${'a'.repeat(64)}, signed keyless with cosign; SBOMs (SPDX, CycloneDX) attached.\n`,
      });
      expect(runStep(text, 'v1.1.0').notes).toContain('- Older thing.');
      expect(runStep(text, 'v1.1.0').notes).not.toContain('Retries');
    });

    it('fails when CHANGELOG.md has no section, or an empty one, for the version', () => {
      const text = changelog('## [1.2.0] - 2026-11-30\n\n## [1.1.0] - 2026-10-01\n\n- Older thing.\n\n');
      for (const tag of ['v1.3.0', 'v1.2.0', 'v1.1']) {
        const result = runStep(text, tag);
        expect(result.code, tag).toBe(1);
        expect(result.stderr, tag).toBe(`CHANGELOG.md has no notes under ## [${tag.slice(1)}]\n`);
      }
    });
  });
});
