/**
 * The Kubernetes checks pass a hardened Kustomize tree and fail the faults
 * they exist to find, running the real tools (kustomize, kubeconform,
 * kube-score, checkov, pod-security-check) that matrix/tools/install.sh installs.
 *
 * Without the tools the suite is skipped, unless PRODREADY_REQUIRE_TOOLS=1
 * (CI sets it after install.sh), where a missing tool fails it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultToolsDir } from '../../matrix/cache.ts';
import type { Check, CheckContext, Finding } from '../../matrix/check.ts';
import checkov from '../../matrix/checks/checkov.ts';
import kubeScore from '../../matrix/checks/kube-score.ts';
import kubeconform from '../../matrix/checks/kubeconform.ts';
import kustomizeBuild from '../../matrix/checks/kustomize-build.ts';
import podSecurity from '../../matrix/checks/pod-security.ts';
import { loadChecks } from '../../matrix/load-checks.ts';

const toolsDir = defaultToolsDir();
const bin = join(toolsDir, 'bin');
const good = join(import.meta.dirname, '..', 'fixtures', 'kubernetes', 'good');
const k8s = 'deploy/kubernetes';
const checks = [kustomizeBuild, kubeconform, kubeScore, checkov, podSecurity];

function installed(): boolean {
  const present = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  return (
    ['kubeconform', 'kube-score', 'checkov', 'pod-security-check'].every((tool) => existsSync(join(bin, tool))) &&
    existsSync(join(toolsDir, 'kubernetes', 'schemas.json')) &&
    (existsSync(join(bin, 'kustomize')) || present('kubectl', ['version', '--client']))
  );
}

const required = process.env.PRODREADY_REQUIRE_TOOLS === '1';
const available = installed();
const scratch = mkdtempSync(join(tmpdir(), 'kubernetes-checks-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(() => {
  // The runner puts the tools directory first on PATH for checks.
  if (!(process.env.PATH ?? '').split(delimiter).includes(bin)) process.env.PATH = `${bin}${delimiter}${process.env.PATH ?? ''}`;
});

function listFiles(root: string, directory = ''): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
    return entry.isDirectory() ? listFiles(root, path) : [path];
  });
}

let copies = 0;
/** A copy of the good tree, changed by `edit` (which gets the copy's root). */
function variant(edit: (root: string) => void = () => {}): string {
  const root = join(scratch, String(copies++));
  cpSync(good, root, { recursive: true });
  edit(root);
  return root;
}

/** Replaces text in a file of a copy; the text must be there. */
function replaceIn(root: string, file: string, from: string | RegExp, to: string): void {
  const path = join(root, k8s, file);
  const text = readFileSync(path, 'utf8');
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`${file} does not contain ${String(from)}`);
  writeFileSync(path, changed);
}

const timings: Record<string, number[]> = {};
/** Runs a check as the runner does: on a directory holding the input files, the files named. */
async function run(check: Check, root: string): Promise<Finding[]> {
  const context: CheckContext = { toolsDir, log: () => {}, files: listFiles(root).filter((path) => path.startsWith(`${k8s}/`)) };
  const started = performance.now();
  const findings = await check.run(root, context);
  (timings[check.name] ??= []).push(Math.round(performance.now() - started));
  return findings;
}

const text = (findings: readonly Finding[]) => findings.map((finding) => `${finding.file ?? '-'}: ${finding.message}`).join('\n');

describe.skipIf(!available && !required)('Kubernetes checks', { timeout: 300_000 }, () => {
  afterAll(() => {
    if (process.env.PRODREADY_TIMINGS) process.stderr.write(`check run times (ms): ${JSON.stringify(timings)}\n`);
  });

  it('has the tools installed', () => {
    expect(available).toBe(true);
  });

  it('are loaded by the runner and report their tools with real versions', async () => {
    const names = (await loadChecks()).map(({ check }) => check.name);
    expect(names).toEqual(expect.arrayContaining(checks.map((check) => check.name)));
    const context: CheckContext = { toolsDir, log: () => {} };
    expect(await kustomizeBuild.tool(context)).toMatch(/^kustomize v5\.\d+\.\d+/);
    expect(await kubeconform.tool(context)).toMatch(/^kubeconform \d+\.\d+\.\d+; Kubernetes 1\.\d+\.\d+ schemas from kubernetes-validate \d+\.\d+\.\d+; CRDs from .*cert-manager.*prometheus-operator.*external-secrets/);
    expect(await kubeScore.tool(context)).toMatch(/^kube-score \d+\.\d+\.\d+; kustomize v5/);
    expect(await checkov.tool(context)).toMatch(/^checkov \d+\.\d+\.\d+; kustomize v5/);
    expect(await podSecurity.tool(context)).toMatch(/^pod-security-check [0-9a-f]{12} \(k8s\.io\/pod-security-admission v\d+\.\d+\.\d+\); kustomize v5/);
    for (const check of checks) {
      expect(check.inputs).toEqual([`${k8s}/**`]);
      expect(check.granularity).toBe('project');
    }
  });

  it.each(checks.map((check) => [check.name, check] as const))('%s passes the hardened tree', async (_name, check) => {
    const findings = await run(check, variant());
    expect(text(findings)).toBe('');
  });

  it('kustomize-build: a deprecated commonLabels field is a finding (and a kustomize warning)', async () => {
    const root = variant((copy) => replaceIn(copy, 'overlays/staging/kustomization.yaml', /^labels:\n/m, 'commonLabels:\n  team: payments\nlabels:\n'));
    const findings = await run(kustomizeBuild, root);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings).toContainEqual({ file: `${k8s}/overlays/staging/kustomization.yaml`, message: 'uses the deprecated field "commonLabels": use labels (with includeSelectors only where selectors must change)' });
    expect(text(findings)).toMatch(/overlay staging: kustomize warns: Warning: 'commonLabels' is deprecated/);
    expect(findings.every((finding) => finding.file === `${k8s}/overlays/staging/kustomization.yaml`)).toBe(true);
  });

  it('kustomize-build: a missing production overlay is a finding', async () => {
    const root = variant((copy) => rmSync(join(copy, k8s, 'overlays/production'), { recursive: true }));
    const findings = await run(kustomizeBuild, root);
    expect(findings).toEqual([{ message: `the production overlay is missing: ${k8s}/overlays/production/kustomization.yaml is required (overlays: staging, production)` }]);
  });

  it('kustomize-build: an overlay that does not build is a finding naming it', async () => {
    const root = variant((copy) => replaceIn(copy, 'overlays/production/kustomization.yaml', '  - ../../base\n', '  - ../../base\n  - missing.yaml\n'));
    const findings = await run(kustomizeBuild, root);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.file).toBe(`${k8s}/overlays/production/kustomization.yaml`);
    expect(findings[0]?.message).toMatch(/^overlay production does not build: .*missing\.yaml/);
  });

  it('kubeconform: an unknown Deployment field is a finding naming the field, the object, the overlay and the source file', async () => {
    const root = variant((copy) => replaceIn(copy, 'base/deployment.yaml', '  revisionHistoryLimit: 5\n', '  revisionHistoryLimit: 5\n  replicaz: 2\n'));
    const findings = await run(kubeconform, root);
    expect(findings.map((finding) => finding.file)).toEqual([`${k8s}/base/deployment.yaml`, `${k8s}/base/deployment.yaml`]);
    expect(findings.map((finding) => finding.message)).toEqual(
      ['production', 'staging'].map(
        (overlay) => `overlay ${overlay}: Deployment app (namespace app), from ${k8s}/base/deployment.yaml: apps/v1 at '/spec': additional properties 'replicaz' not allowed`,
      ),
    );
  });

  it('kubeconform: a misspelled ServiceMonitor field is a finding (CRD schemas are strict)', async () => {
    const root = variant((copy) => replaceIn(copy, 'components/monitoring/servicemonitor.yaml', 'scrapeTimeout: 10s', 'scrapeTimout: 10s'));
    const findings = await run(kubeconform, root);
    expect(findings).toHaveLength(2);
    for (const finding of findings) {
      expect(finding.file).toBe(`${k8s}/components/monitoring/servicemonitor.yaml`);
      expect(finding.message).toMatch(/^overlay (staging|production): ServiceMonitor app \(namespace app\), .*monitoring\.coreos\.com\/v1 at '\/spec\/endpoints\/0': additional properties 'scrapeTimout' not allowed$/);
    }
  });

  it('kubeconform: a kind without a schema is a finding, never skipped', async () => {
    const root = variant((copy) => {
      writeFileSync(join(copy, k8s, 'base/widget.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
      replaceIn(copy, 'base/kustomization.yaml', '  - ingress.yaml\n', '  - ingress.yaml\n  - widget.yaml\n');
    });
    const findings = await run(kubeconform, root);
    expect(findings).toHaveLength(2);
    expect(text(findings)).toMatch(/overlay staging: Widget w \(namespace app\), from deploy\/kubernetes\/base\/widget\.yaml: no schema for example\.com\/v1 Widget/);
  });

  it('kube-score: a :latest image is a finding', async () => {
    const root = variant((copy) => {
      for (const overlay of ['staging', 'production']) replaceIn(copy, `overlays/${overlay}/kustomization.yaml`, /    newTag: 1\.0\.0\n    digest: sha256:[0-9a-f]{64}\n/, '    newTag: latest\n');
    });
    const findings = await run(kubeScore, root);
    expect(findings.map((finding) => `${finding.file}: ${finding.message}`)).toEqual(
      ['production', 'staging'].map(
        (overlay) =>
          `${k8s}/base/deployment.yaml: overlay ${overlay}: Deployment app (namespace app), from ${k8s}/base/deployment.yaml: [CRITICAL] Container Image Tag (container-image-tag): app: Image with latest tag (Using a fixed tag is recommended to avoid accidental upgrades)`,
      ),
    );
    // checkov finds it too: the latest tag.
    const checkovFindings = text(await run(checkov, root));
    expect(checkovFindings).toMatch(/overlay staging: Deployment app \(namespace app\), from deploy\/kubernetes\/base\/deployment\.yaml: CKV_K8S_14 Image Tag should be fixed - not latest or blank/);
  });

  /** A batch as the runner lays it out: one project per unit subdirectory, context.files prefixed. */
  async function runBatch(check: Check, roots: readonly string[]): Promise<Finding[]> {
    const batch = join(scratch, `batch-${copies++}`);
    roots.forEach((root, index) => cpSync(root, join(batch, String(index)), { recursive: true }));
    const files = roots.flatMap((_, index) => listFiles(join(batch, String(index))).map((path) => `${index}/${path}`));
    return check.run(batch, { toolsDir, log: () => {}, files });
  }

  const latestTag = () =>
    variant((copy) => {
      for (const overlay of ['staging', 'production']) replaceIn(copy, `overlays/${overlay}/kustomization.yaml`, /    newTag: 1\.0\.0\n    digest: sha256:[0-9a-f]{64}\n/, '    newTag: latest\n');
    });
  const unknownField = () => variant((copy) => replaceIn(copy, 'base/deployment.yaml', '  revisionHistoryLimit: 5\n', '  revisionHistoryLimit: 5\n  replicaz: 2\n'));
  const mayRunAsRoot = () =>
    variant((copy) => {
      replaceIn(copy, 'base/deployment.yaml', /^ {8}runAsNonRoot: true\n/m, '');
      replaceIn(copy, 'base/deployment.yaml', /^ {12}runAsNonRoot: true\n/m, '');
    });

  it.each([
    ['checkov', checkov, latestTag, /^1\/deploy\/kubernetes\/base\/deployment\.yaml: overlay staging: Deployment app \(namespace app\), from deploy\/kubernetes\/base\/deployment\.yaml: CKV_K8S_14 Image Tag should be fixed/m],
    ['kubeconform', kubeconform, unknownField, /^1\/deploy\/kubernetes\/base\/deployment\.yaml: overlay staging: Deployment app \(namespace app\), from deploy\/kubernetes\/base\/deployment\.yaml: apps\/v1 at '\/spec': additional properties 'replicaz' not allowed$/m],
    ['pod-security', podSecurity, mayRunAsRoot, /^1\/deploy\/kubernetes\/base\/deployment\.yaml: overlay staging: Deployment app \(namespace app\), from deploy\/kubernetes\/base\/deployment\.yaml: violates Pod Security Standard restricted: .*runAsNonRoot/m],
  ] as const)('%s: a batch runs the tool once over every unit and files each finding under its own unit', async (_name, check, broken, expected) => {
    // Unit 1 is broken; units 0 and 2 are the same good tree (same names and namespaces as unit 1).
    const findings = await runBatch(check, [good, broken(), good]);
    expect(new Set(findings.map((finding) => finding.file?.split('/')[0]))).toEqual(new Set(['1']));
    expect(text(findings)).toMatch(expected);
    expect(text(findings)).toContain('overlay production: Deployment app (namespace app)');
  });

  it('pod-security: a container that may run as root is a finding naming the control', async () => {
    const root = variant((copy) => {
      replaceIn(copy, 'base/deployment.yaml', /^ {8}runAsNonRoot: true\n/m, '');
      replaceIn(copy, 'base/deployment.yaml', /^ {12}runAsNonRoot: true\n/m, '');
    });
    const findings = await run(podSecurity, root);
    expect(findings).toHaveLength(2);
    for (const [index, overlay] of ['production', 'staging'].entries()) {
      expect(findings[index]?.file).toBe(`${k8s}/base/deployment.yaml`);
      expect(findings[index]?.message).toMatch(new RegExp(`^overlay ${overlay}: Deployment app \\(namespace app\\), from ${k8s}/base/deployment\\.yaml: violates Pod Security Standard restricted: .*runAsNonRoot`));
    }
  });

  it('pod-security: a Namespace without the restricted labels is a finding', async () => {
    const root = variant((copy) => replaceIn(copy, 'base/namespace.yaml', '    pod-security.kubernetes.io/warn: restricted\n', ''));
    const findings = await run(podSecurity, root);
    expect(findings.map((finding) => `${finding.file}: ${finding.message}`)).toEqual(
      ['production', 'staging'].map((overlay) => `${k8s}/base/namespace.yaml: overlay ${overlay}: Namespace app, from ${k8s}/base/namespace.yaml: label pod-security.kubernetes.io/warn is missing, it must be "restricted"`),
    );
  });
});
