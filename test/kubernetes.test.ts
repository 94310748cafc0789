/**
 * The Kubernetes feature as a user sees it: which files each deploy target
 * gets, overlays that kustomize builds, the env set identical across the
 * config schema, .env.example, compose.yaml and the manifests, identity and
 * ports matching the image, and the decision record.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { renderProject, type RenderedProject } from '../generators/app/render.ts';
import { terminationGraceSeconds } from '../generators/kubernetes/manifests.ts';
import consistency, { overlayFindings } from '../matrix/checks/kubernetes-consistency.ts';

const scratch = mkdtempSync(join(tmpdir(), 'kubernetes-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeProject(project: RenderedProject, name: string): string {
  const root = join(scratch, name);
  for (const [path, content] of project.files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

async function build(root: string, overlay: string): Promise<Record<string, unknown>[]> {
  const { stdout } = await execa('kubectl', ['kustomize', `deploy/kubernetes/overlays/${overlay}`], { cwd: root });
  return parseAllDocuments(stdout).map((document) => document.toJS() as Record<string, unknown>);
}

const variants = [
  { database: 'postgres', cache: 'none', tracing: false, sentry: false },
  { database: 'postgres', cache: 'redis', tracing: true, sentry: true },
  { database: 'none', cache: 'redis', tracing: false, sentry: true },
  { database: 'none', cache: 'none', tracing: true, sentry: false },
] as const;

describe.each(variants)('deploy kubernetes with database $database, cache $cache, tracing $tracing, sentry $sentry', (variant) => {
  const rendering = renderProject({ name: 'orders-api', owner: 'acme', deploy: 'kubernetes', ...variant });

  it('writes the base, the components its options need and both overlays', async () => {
    const { files } = await rendering;
    const paths = [...files.keys()].filter((path) => path.startsWith('deploy/kubernetes/'));
    for (const file of ['namespace', 'serviceaccount', 'deployment', 'service', 'pdb', 'hpa', 'networkpolicy', 'ingress', 'kustomization']) {
      expect(paths).toContain(`deploy/kubernetes/base/${file}.yaml`);
    }
    for (const overlay of ['staging', 'production']) for (const file of ['kustomization.yaml', 'hpa.yaml', 'ingress.yaml', 'resources.yaml', 'config.env']) expect(paths).toContain(`deploy/kubernetes/overlays/${overlay}/${file}`);
    const components = new Set(paths.filter((path) => path.includes('/components/')).map((path) => path.split('/')[3]));
    expect(components.has('migrations')).toBe(variant.database === 'postgres');
    expect(components.has('postgres')).toBe(variant.database === 'postgres');
    expect(components.has('redis')).toBe(variant.cache === 'redis');
    expect(components.has('otlp')).toBe(variant.tracing);
    expect(components.has('external-secrets')).toBe(variant.database === 'postgres' || variant.cache === 'redis' || variant.sentry);
    expect(paths.some((path) => /secret/i.test(path) && !path.includes('external-secrets'))).toBe(false);
  });

  it('builds both overlays with kustomize into consistent objects (kubernetes-consistency finds nothing)', async () => {
    const root = writeProject(await rendering, `consistent-${variant.database}-${variant.cache}-${variant.tracing}-${variant.sentry}`);
    for (const overlay of ['staging', 'production']) {
      const objects = await build(root, overlay);
      const kinds = objects.map((object) => object.kind).sort();
      expect(kinds).toEqual(
        expect.arrayContaining(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']),
      );
      expect(kinds.includes('Job')).toBe(variant.database === 'postgres');
      expect(kinds).not.toContain('Secret');
      for (const object of objects) {
        const metadata = object.metadata as { namespace?: string; name: string };
        if (object.kind === 'Namespace') expect(metadata.name).toBe(`orders-api-${overlay}`);
        else expect(metadata.namespace, `${object.kind} ${metadata.name}`).toBe(`orders-api-${overlay}`);
      }
    }
    expect(await consistency.run(root, { toolsDir: scratch, log: () => {} })).toEqual([]);
  });
});

describe('the pod', () => {
  it('runs restricted, as the image user, with probes on the service endpoints and a grace period longer than its shutdown', async () => {
    const project = await renderProject({ name: 'orders-api', owner: 'acme', deploy: 'both' });
    const root = writeProject(project, 'pod');
    const [deployment] = (await build(root, 'production')).filter((object) => object.kind === 'Deployment') as {
      spec: { replicas?: number; template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
    }[];
    const pod = deployment?.spec.template.spec;
    const app = pod?.containers[0] as Record<string, unknown>;
    expect(deployment?.spec.replicas).toBeUndefined();
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(app.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(project.files.get('Dockerfile')).toMatch(/^USER 10001:10001$/m);
    expect((app.startupProbe as { httpGet: unknown }).httpGet).toEqual({ path: '/livez', port: 'http' });
    expect((app.readinessProbe as { httpGet: unknown }).httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(app.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(pod?.terminationGracePeriodSeconds).toBe(35);
    expect(terminationGraceSeconds(project.facts)).toBeGreaterThan(5 + 20);
    expect(app.image).toBe('ghcr.io/acme/orders-api:0.1.0');
    expect(pod?.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });
});

describe('the consistency check', () => {
  it('names each inconsistency a user could introduce', async () => {
    const project = await renderProject({ name: 'orders-api', owner: 'acme', cache: 'redis' });
    const root = writeProject(project, 'broken');
    const objects = await build(root, 'production');
    const deployment = objects.find((object) => object.kind === 'Deployment') as { spec: { replicas?: number; template: { spec: { containers: Record<string, unknown>[]; terminationGracePeriodSeconds: number } } } };
    const app = deployment.spec.template.spec.containers[0] as { ports: { containerPort: number }[]; securityContext: { runAsUser: number }; env: { name: string }[] };
    app.ports[0] = { ...app.ports[0], containerPort: 8080 };
    app.securityContext.runAsUser = 1000;
    app.env = app.env.filter((variable) => variable.name !== 'REDIS_URL');
    deployment.spec.template.spec.terminationGracePeriodSeconds = 20;
    deployment.spec.replicas = 2;
    const read = (path: string) => project.files.get(path) as string;
    const problems = overlayFindings('production', objects, {
      config: read('src/config.ts'),
      example: read('.env.example'),
      dockerfile: read('Dockerfile'),
      health: read('src/health.ts'),
      compose: read('compose.yaml'),
    });
    expect(problems).toEqual([
      'the Kubernetes Deployment lacks REDIS_URL of the config schema',
      'containerPort 8080 differs from PORT 3000',
      "Deployment orders-api runs as 1000:10001, the image's USER is 10001:10001",
      'terminationGracePeriodSeconds 20 is not above preStop 5 s + SHUTDOWN_TIMEOUT_MS 20 s',
      'the Deployment sets replicas although an HPA owns the count',
    ]);
  });
});

describe('other deploy targets and documents', () => {
  it('writes no Kubernetes files and no Kubernetes promise with --deploy compose', async () => {
    const { files } = await renderProject({ name: 'orders-api', deploy: 'compose' });
    expect([...files.keys()].filter((path) => path.startsWith('deploy/kubernetes') || path === 'docs/deployment.md')).toEqual([]);
    expect(files.get('README.md')).not.toMatch(/kubernetes/i);
  });

  it('documents the deploy and records the decision in MADR form', async () => {
    const { files } = await renderProject({ name: 'orders-api', deploy: 'kubernetes' });
    expect(files.get('README.md')).toContain('## Production on Kubernetes');
    expect(files.get('README.md')).toContain('production runs on Kubernetes ([docs/deployment.md](docs/deployment.md))');
    const deployment = files.get('docs/deployment.md') as string;
    for (const heading of ['# Deployment', '## Layout', '## Before the first deploy', '## Deploy', '## Roll back', '## Scale']) expect(deployment).toMatch(new RegExp(`^${heading}$`, 'm'));
    expect(deployment).toContain('kubectl --namespace orders-api-production rollout undo deployment/orders-api');
    const adr = files.get('docs/adr/0001-kustomize-overlays.md') as string;
    expect(adr.startsWith('---\nstatus: accepted\ndecision-makers: the Orders API maintainers\n---\n')).toBe(true);
    for (const heading of ['## Context and Problem Statement', '## Decision Drivers', '## Considered Options', '## Decision Outcome', '### Consequences', '### Confirmation', '## Pros and Cons of the Options']) {
      expect(adr).toContain(heading);
    }
    // Prettier pads the index table to its widest row, which other features' records may set.
    expect(files.get('docs/adr/README.md')).toMatch(/^\| \[0001\]\(0001-kustomize-overlays\.md\) +\| Deploy to Kubernetes with a Kustomize base and per-environment overlays +\| accepted +\|$/m);
  });
});
