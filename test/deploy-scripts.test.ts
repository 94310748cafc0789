/**
 * The deploy script CI jobs run, executed against stand-ins for kubectl,
 * kustomize and wget that record their calls: migrations before the rollout,
 * the digest pinned in the overlay, a smoke test, the previous image put back
 * when the rollout fails, and bad arguments refused before anything runs; the
 * Compose deploy over ssh and scp stand-ins: the stack copied, TAG set, the
 * tag checked against the verified digest, the previous TAG restored.
 * shellcheck (the ci-scripts check) passes the scripts and fails a bad one.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { renderProject } from '../generators/app/render.ts';
import ciScripts from '../matrix/checks/ci-scripts.ts';
import { defaultToolsDir } from '../matrix/cache.ts';

const scratch = mkdtempSync(join(tmpdir(), 'deploy-scripts-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const IMAGE = 'ghcr.io/my-org/orders-api';
const PREVIOUS = `${IMAGE}@sha256:${'cd'.repeat(32)}`;

let projects = 0;
async function project(answers: Record<string, unknown>): Promise<string> {
  const root = join(scratch, String(projects++));
  for (const [path, content] of (await renderProject({ name: 'orders-api', ci: 'github', ...answers })).files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  // Stand-ins that log each call; kubectl fails `rollout status` while FAIL_ROLLOUTS (a count) lasts.
  const bin = join(root, '.fake-bin');
  mkdirSync(bin);
  const fakeCommand = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "$CALLS"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  fakeCommand('kustomize', 'exit 0');
  fakeCommand('wget', 'exit "${WGET_STATUS:-0}"');
  fakeCommand('sleep', 'exit 0');
  fakeCommand(
    'kubectl',
    [
      'case "$*" in',
      '  *"get deployment"*) printf %s "$PREVIOUS_IMAGE" ;;',
      '  *"rollout status"*) left=$(cat "$FAILURES" 2>/dev/null || echo 0); if [ "$left" -gt 0 ]; then echo $((left - 1)) > "$FAILURES"; exit 1; fi ;;',
      'esac',
    ].join('\n'),
  );
  return root;
}

async function deploy(root: string, args: string[], env: Record<string, string> = {}) {
  const calls = join(root, 'calls.log');
  rmSync(calls, { force: true });
  const failures = join(root, 'failures');
  writeFileSync(failures, env.FAIL_ROLLOUTS ?? '0');
  const result = await execa('sh', ['scripts/deploy-kubernetes.sh', ...args], {
    cwd: root,
    reject: false,
    env: { PATH: `${join(root, '.fake-bin')}:/usr/bin:/bin`, CALLS: calls, FAILURES: failures, PREVIOUS_IMAGE: PREVIOUS, ...env },
    extendEnv: false,
  });
  const log = existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [];
  return { code: result.exitCode, stderr: result.stderr, calls: log.filter(Boolean) };
}

describe('scripts/deploy-kubernetes.sh', () => {
  it('migrates, pins the digest, rolls out and smoke-tests staging', async () => {
    const root = await project({ database: 'postgres', deploy: 'kubernetes' });
    const { code, calls } = await deploy(root, ['staging', DIGEST]);
    expect(code).toBe(0);
    expect(calls).toEqual([
      `kubectl --namespace orders-api-staging get deployment orders-api --ignore-not-found --output jsonpath={.spec.template.spec.containers[?(@.name=="app")].image}`,
      `kustomize edit set image ${IMAGE}=${IMAGE}@${DIGEST}`,
      'kubectl --namespace orders-api-staging delete job orders-api-migrate --ignore-not-found',
      "kubectl apply -k deploy/kubernetes/overlays/staging --selector app.kubernetes.io/component in (config,migration)",
      'kubectl --namespace orders-api-staging wait --for=condition=complete --timeout=600s job/orders-api-migrate',
      'kubectl apply -k deploy/kubernetes/overlays/staging',
      'kubectl --namespace orders-api-staging rollout status deployment/orders-api --timeout=300s',
      'wget --quiet --output-document=/dev/null --timeout=10 https://orders-api.staging.example.com/readyz',
    ]);
  });

  it('puts the previous image back and fails when the rollout fails', async () => {
    const root = await project({ database: 'none', deploy: 'kubernetes' });
    const { code, calls, stderr } = await deploy(root, ['production', DIGEST], { FAIL_ROLLOUTS: '1' });
    expect(code).toBe(1);
    expect(stderr).toContain(`Deploy of ${IMAGE}@${DIGEST} to production failed; rolling back`);
    expect(calls.slice(1)).toEqual([
      `kustomize edit set image ${IMAGE}=${IMAGE}@${DIGEST}`,
      'kubectl apply -k deploy/kubernetes/overlays/production',
      'kubectl --namespace orders-api-production rollout status deployment/orders-api --timeout=300s',
      `kustomize edit set image ${IMAGE}=${PREVIOUS}`,
      'kubectl apply -k deploy/kubernetes/overlays/production',
      'kubectl --namespace orders-api-production rollout status deployment/orders-api --timeout=300s',
    ]);
  });

  it('rolls back when the smoke test fails', async () => {
    const root = await project({ database: 'none', deploy: 'kubernetes' });
    const { code, calls, stderr } = await deploy(root, ['staging', DIGEST], { WGET_STATUS: '1' });
    expect(code).toBe(1);
    expect(stderr).toContain('Smoke test failed: https://orders-api.staging.example.com/readyz did not answer 2xx');
    expect(calls.filter((call) => call.startsWith('wget'))).toHaveLength(10);
    expect(calls.at(-3)).toBe(`kustomize edit set image ${IMAGE}=${PREVIOUS}`);
  });

  it('refuses an unknown environment or a tag instead of a digest, before touching the cluster', async () => {
    const root = await project({ database: 'none', deploy: 'kubernetes' });
    expect(await deploy(root, ['qa', DIGEST])).toMatchObject({ code: 2, calls: [] });
    const tag = await deploy(root, ['staging', 'latest']);
    expect(tag).toMatchObject({ code: 2, calls: [] });
    expect(tag.stderr).toContain('Not an image digest: latest');
  });
});

describe('scripts/deploy-compose.sh', () => {
  /** Runs the script with ssh and scp stand-ins: ssh (-o BatchMode=yes host command) logs the remote command and answers the TAG read and the digest lookup. */
  async function composeDeploy(root: string, args: string[], env: Record<string, string>) {
    const bin = join(root, '.fake-bin');
    const ssh = [
      '#!/bin/sh',
      'shift 3',
      'echo "ssh $*" >> "$CALLS"',
      'case "$*" in',
      '  *"sed -n"*) echo 1.0.0 ;;',
      '  *"image inspect"*) echo "$REPO_DIGESTS" ;;',
      '  *"up -d"*) exit "${UP_STATUS:-0}" ;;',
      'esac',
    ].join('\n');
    writeFileSync(join(bin, 'ssh'), `${ssh}\n`);
    writeFileSync(join(bin, 'scp'), '#!/bin/sh\necho "scp $*" >> "$CALLS"\n');
    chmodSync(join(bin, 'ssh'), 0o755);
    chmodSync(join(bin, 'scp'), 0o755);
    const calls = join(root, 'compose-calls.log');
    rmSync(calls, { force: true });
    const result = await execa('sh', ['scripts/deploy-compose.sh', ...args], {
      cwd: root,
      reject: false,
      extendEnv: false,
      env: { PATH: `${bin}:/usr/bin:/bin`, CALLS: calls, DEPLOY_HOST: 'deploy@203.0.113.10', DEPLOY_PATH: '/srv/orders-api', ...env },
    });
    return { code: result.exitCode, stderr: result.stderr, calls: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [] };
  }
  const compose = 'docker compose --env-file .env.production -f compose.production.yaml';

  it('copies the stack, sets TAG, starts it and checks the tag resolves to the verified digest', async () => {
    const root = await project({ deploy: 'compose', database: 'postgres' });
    const { code, calls } = await composeDeploy(root, ['1.2.0', DIGEST], { REPO_DIGESTS: `${IMAGE}@${DIGEST}` });
    expect(code).toBe(0);
    expect(calls).toEqual([
      "ssh cd /srv/orders-api && sed -n 's/^TAG=//p' .env.production",
      'scp -o BatchMode=yes compose.production.yaml Caddyfile deploy@203.0.113.10:/srv/orders-api/',
      `ssh cd /srv/orders-api && sed -i 's/^TAG=.*/TAG=1.2.0/' .env.production && ${compose} pull app && ${compose} up -d --wait --remove-orphans`,
      `ssh cd /srv/orders-api && docker image inspect --format '{{join .RepoDigests " "}}' ${IMAGE}:1.2.0`,
    ]);
  });

  it('goes back to the previous TAG when the tag resolves to another digest', async () => {
    const root = await project({ deploy: 'compose', database: 'none' });
    const { code, calls, stderr } = await composeDeploy(root, ['1.2.0', DIGEST], { REPO_DIGESTS: PREVIOUS });
    expect(code).toBe(1);
    expect(stderr).toContain(`Deploy of ${IMAGE}:1.2.0 failed or does not resolve to ${DIGEST}; going back to 1.0.0`);
    expect(calls.at(-1)).toBe(`ssh cd /srv/orders-api && sed -i 's/^TAG=.*/TAG=1.0.0/' .env.production && ${compose} pull app && ${compose} up -d --wait --remove-orphans`);
  });

  it('refuses a DEPLOY_PATH that could carry shell syntax to the host', async () => {
    const root = await project({ deploy: 'compose', database: 'none' });
    expect(await composeDeploy(root, ['1.2.0', DIGEST], { DEPLOY_PATH: '/srv/x; rm -rf /' })).toMatchObject({ code: 2, calls: [] });
  });
});

describe('ci-scripts (shellcheck)', () => {
  const context = { toolsDir: defaultToolsDir(), log: () => {} };
  it('passes the generated scripts and fails an unquoted expansion', async () => {
    const root = await project({ ci: 'gitlab', deploy: 'both', database: 'postgres' });
    const files = ['scripts/ci/install-tools.sh', 'scripts/deploy-compose.sh', 'scripts/deploy-kubernetes.sh'];
    expect(await ciScripts.run(root, { ...context, files })).toEqual([]);
    writeFileSync(join(root, 'scripts/deploy-bad.sh'), '#!/bin/sh\ncat $1\n');
    expect(await ciScripts.run(root, { ...context, files: ['scripts/deploy-bad.sh'] })).toEqual([
      { file: 'scripts/deploy-bad.sh', message: 'line 2:5: SC2086 (info) Double quote to prevent globbing and word splitting.' },
    ]);
  });
});
