/**
 * What the Kubernetes checks share: finding kustomize, building every overlay
 * under deploy/kubernetes/overlays/*, and naming rendered objects by the
 * overlay and the source file they come from, so a finding says what to fix.
 *
 * Not a check (subdirectories of matrix/checks/ are not loaded as checks).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize, posix } from 'node:path';
import { parseAllDocuments, parseDocument, stringify } from 'yaml';
import type { CheckContext, Finding } from '../../check.ts';
import { runTool } from '../../support/process.ts';
import versions from '../../../generators/core/versions.json' with { type: 'json' };

export const kubernetesRoot = 'deploy/kubernetes';
export const overlaysRoot = `${kubernetesRoot}/overlays`;
/** The inputs of every Kubernetes check. */
export const kubernetesInputs = [`${kubernetesRoot}/**`] as const;
/** The Kubernetes version the generated manifests are validated against. */
export const kubernetesVersion: string = versions.kubernetes.version;
export const kustomizationNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;
const originAnnotation = 'config.kubernetes.io/origin';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderedObject {
  object: KubeObject;
  /** "Deployment app (namespace app)". */
  label: string;
  /** Project-relative source file the object comes from (or the kustomization that generated it), when kustomize says. */
  source?: string;
}

export interface RenderedOverlay {
  /** "staging". */
  name: string;
  /** "deploy/kubernetes/overlays/staging". */
  path: string;
  /** The overlay's kustomization file, project-relative. */
  kustomization: string;
  /** The rendered objects, in kustomize's order, without the origin annotations used to trace them. */
  objects: RenderedObject[];
  /** The rendered objects as one multi-document YAML stream. */
  yaml: string;
  /** What kustomize printed on stderr for a successful build (deprecation warnings and the like), line by line. */
  warnings: string[];
}

export interface Rendering {
  overlays: RenderedOverlay[];
  /** Overlays that do not build, and a missing overlays directory. */
  findings: Finding[];
}

export interface Kustomize {
  command: string;
  args: readonly string[];
  /** "kustomize v5.5.0 (kubectl v1.32.4)". */
  version: string;
}

/** sha256 (12 hex) of this module: the checks add it to their tool version, so changing how overlays are built re-runs them. */
export const buildHelperHash = createHash('sha256').update(readFileSync(new URL(import.meta.url))).digest('hex').slice(0, 12);

/**
 * The kustomize to build with: bin/kustomize in the tools directory when
 * matrix/tools/kubernetes-tools.sh installed one (because kubectl's did not
 * work), else `kubectl kustomize`. Throws when neither is there.
 */
export async function findKustomize(context: CheckContext): Promise<Kustomize> {
  const installed = join(context.toolsDir, 'bin', 'kustomize');
  if (existsSync(installed)) {
    const { stdout, code } = await runTool(installed, ['version']);
    const version = /v\d+\.\d+\.\d+/.exec(stdout)?.[0];
    if (code !== 0 || !version) throw new Error(`${installed} version printed no version: ${stdout.trim()}`);
    return { command: installed, args: ['build'], version: `kustomize ${version}` };
  }
  const { stdout, stderr, code } = await runTool('kubectl', ['version', '--client', '--output=json']);
  if (code !== 0) throw new Error(`kubectl version failed (exit ${code}): ${stderr.trim()}`);
  const client = JSON.parse(stdout) as { clientVersion?: { gitVersion?: string }; kustomizeVersion?: string };
  if (!client.kustomizeVersion?.startsWith('v5.')) {
    throw new Error(`kubectl embeds kustomize ${client.kustomizeVersion ?? '(none)'}, not v5: run bash matrix/tools/install.sh to install kustomize v5`);
  }
  return { command: 'kubectl', args: ['kustomize'], version: `kustomize ${client.kustomizeVersion} (kubectl ${client.clientVersion?.gitVersion ?? '?'})` };
}

function kustomizationIn(directory: string): string | undefined {
  return kustomizationNames.find((name) => existsSync(join(directory, name)));
}

/** Overlay directories (names) under deploy/kubernetes/overlays/ that hold a kustomization. */
export function overlayNames(directory: string): string[] {
  const root = join(directory, overlaysRoot);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && kustomizationIn(join(root, entry.name)) !== undefined)
    .map((entry) => entry.name)
    .sort();
}

/** "Deployment app (namespace app)". */
export function objectLabel(object: KubeObject): string {
  const name = object.metadata?.name ?? '(no name)';
  const namespace = object.metadata?.namespace;
  return `${object.kind ?? '(no kind)'} ${name}${namespace ? ` (namespace ${namespace})` : ''}`;
}

/** "overlay staging: Deployment app (namespace app), from deploy/kubernetes/base/deployment.yaml". */
export function describeObject(overlay: RenderedOverlay, rendered: RenderedObject): string {
  return `overlay ${overlay.name}: ${rendered.label}${rendered.source ? `, from ${rendered.source}` : ''}`;
}

/** A finding about a rendered object: filed under its source file when known, else under the overlay's kustomization. */
export function objectFinding(overlay: RenderedOverlay, rendered: RenderedObject | undefined, message: string): Finding {
  if (!rendered) return { file: overlay.kustomization, message: `overlay ${overlay.name}: ${message}` };
  return { file: rendered.source ?? overlay.kustomization, message: `${describeObject(overlay, rendered)}: ${message}` };
}

/** The rendered object with this kind, name and namespace (namespace optional). */
export function findObject(overlay: RenderedOverlay, kind: string | undefined, name: string | undefined, namespace?: string): RenderedObject | undefined {
  return overlay.objects.find(
    ({ object }) => object.kind === kind && object.metadata?.name === name && (namespace === undefined || namespace === '' || (object.metadata?.namespace ?? '') === namespace),
  );
}

/** Project-relative path of an origin path (relative to the overlay directory). */
function sourceOf(overlayPath: string, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  try {
    const parsed = parseDocument(origin).toJS() as { path?: string; configuredIn?: string } | null;
    const path = parsed?.path ?? parsed?.configuredIn;
    if (!path || /^[a-z]+:\/\//i.test(path)) return path;
    return posix.normalize(posix.join(overlayPath, path));
  } catch {
    return undefined;
  }
}

/**
 * Builds every overlay with kustomize. The build runs on a copy of
 * deploy/kubernetes in which each overlay asks kustomize for origin
 * annotations (buildMetadata: [originAnnotations]), so every object can be
 * traced to its source file; the annotations are removed again from what the
 * checks see. Overlays that do not build are findings.
 */
export async function renderOverlays(directory: string, context: CheckContext, kustomize?: Kustomize): Promise<Rendering> {
  const tool = kustomize ?? (await findKustomize(context));
  const key = `${tool.command} ${tool.args.join(' ')} ${tool.version}\0${treeDigest(join(directory, kubernetesRoot))}`;
  let rendering = renderings.get(key);
  if (!rendering) {
    rendering = buildOverlays(directory, context, tool);
    renderings.set(key, rendering);
    // A build that threw (kustomize missing, a timeout) is not kept: the next check tries again.
    rendering.catch(() => renderings.delete(key));
  }
  // Each caller gets its own copy: checks may annotate or reorder what they read.
  return structuredClone(await rendering);
}

/**
 * Renderings by kustomize and the content of deploy/kubernetes: the Kubernetes
 * checks of one matrix run read the same overlays, so each distinct tree is
 * built once per process instead of once per check.
 */
const renderings = new Map<string, Promise<Rendering>>();

/** sha256 over the sorted relative paths and contents of every file under `root` ("-" when it does not exist). */
export function treeDigest(root: string): string {
  const hash = createHash('sha256');
  if (!existsSync(root)) return '-';
  const walk = (relativeDirectory: string): void => {
    const entries = readdirSync(join(root, relativeDirectory), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relativeDirectory === '' ? entry.name : `${relativeDirectory}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else {
        const content = readFileSync(join(root, path));
        hash.update(`${JSON.stringify(path)} ${content.length}\0`);
        hash.update(content);
      }
    }
  };
  walk('');
  return hash.digest('hex');
}

async function buildOverlays(directory: string, context: CheckContext, tool: Kustomize): Promise<Rendering> {
  const names = overlayNames(directory);
  if (names.length === 0) {
    return { overlays: [], findings: [{ message: `no overlay to build: ${overlaysRoot}/ has no directory with a kustomization.yaml` }] };
  }
  const work = mkdtempSync(join(tmpdir(), 'kustomize-'));
  try {
    cpSync(join(directory, kubernetesRoot), join(work, kubernetesRoot), { recursive: true });
    const overlays: RenderedOverlay[] = [];
    const findings: Finding[] = [];
    const optIn = optInComponents(directory, names);
    for (const name of [...names, ...optIn.map((component) => addOptInOverlay(work, names.at(-1) as string, component))]) {
      const path = `${overlaysRoot}/${name}`;
      const file = kustomizationIn(join(work, path)) as string;
      const kustomization = `${path}/${file}`;
      const traced = traceOrigins(join(work, kustomization));
      const result = await runTool(tool.command, [...tool.args, path], { cwd: work, timeoutMs: 120_000 });
      if (result.code !== 0) {
        findings.push({ file: kustomization, message: `overlay ${name} does not build: ${oneLine(result.stderr) || `${tool.command} exited ${result.code}`}` });
        continue;
      }
      const objects: RenderedObject[] = [];
      for (const document of parseAllDocuments(result.stdout)) {
        const object = document.toJS() as KubeObject | null;
        if (!object || typeof object !== 'object') continue;
        const annotations = object.metadata?.annotations;
        const source = sourceOf(path, annotations?.[originAnnotation]);
        if (traced && annotations) {
          delete annotations[originAnnotation];
          if (Object.keys(annotations).length === 0) delete object.metadata?.annotations;
        }
        objects.push({ object, label: objectLabel(object), source });
      }
      const warnings = result.stderr
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      overlays.push({ name, path, kustomization, objects, yaml: objects.map(({ object }) => stringify(object)).join('---\n'), warnings });
      context.log(`kustomize: overlay ${name} built, ${objects.length} objects`);
    }
    return { overlays, findings };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Components under deploy/kubernetes/components/ that no overlay lists (opt-in
 * parts such as an ExternalSecret): they are built on top of an overlay so
 * their objects are validated like the rest.
 */
export function optInComponents(directory: string, overlays: readonly string[]): string[] {
  const root = join(directory, kubernetesRoot, 'components');
  if (!existsSync(root)) return [];
  const listed = new Set<string>();
  for (const overlay of overlays) {
    const path = join(directory, overlaysRoot, overlay);
    const file = kustomizationIn(path);
    if (!file) continue;
    const document = parseDocument(readFileSync(join(path, file), 'utf8')).toJS() as { components?: string[] } | null;
    for (const component of document?.components ?? []) listed.add(posix.basename(posix.normalize(component)));
  }
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && kustomizationIn(join(root, entry.name)) !== undefined && !listed.has(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** Writes, in the scratch copy, an overlay "<overlay>+<component>" that adds the component to an overlay; returns its name. */
function addOptInOverlay(work: string, overlay: string, component: string): string {
  const name = `${overlay}+${component}`;
  mkdirSync(join(work, overlaysRoot, name), { recursive: true });
  writeFileSync(join(work, overlaysRoot, name, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [`../${overlay}`], components: [`../../components/${component}`] }));
  return name;
}

/** Adds buildMetadata: [originAnnotations] to a kustomization (a scratch copy). False when it already asks for them, or cannot be read. */
function traceOrigins(path: string): boolean {
  try {
    const document = parseDocument(readFileSync(path, 'utf8'));
    const current = document.get('buildMetadata');
    if (current !== undefined && current !== null) return false;
    document.set('buildMetadata', ['originAnnotations']);
    writeFileSync(path, document.toString());
    return true;
  } catch {
    return false;
  }
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/** Writes each overlay's rendering to <dir>/<overlay>.yaml; returns the paths by overlay name. */
export function writeRenderings(overlays: readonly RenderedOverlay[], target: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const overlay of overlays) {
    const path = join(target, `${overlay.name}.yaml`);
    writeFileSync(path, overlay.yaml);
    paths.set(overlay.name, normalize(path));
  }
  return paths;
}

export interface UnitRoot {
  /** "" for a run on one project, "3/" for the fourth unit of a batched run. */
  prefix: string;
  /** The unit's project root. */
  root: string;
}

/**
 * The projects one run covers: with a batch, one per unit subdirectory named
 * by context.files ("0/deploy/...", "1/deploy/..."); otherwise the run's
 * directory itself (a direct run, or a test).
 */
export function unitRoots(directory: string, context: CheckContext): UnitRoot[] {
  const files = context.files ?? [];
  const prefixes = files.map((file) => /^(\d+)\//.exec(file)?.[1]);
  if (files.length === 0 || prefixes.some((prefix) => prefix === undefined)) return [{ prefix: '', root: directory }];
  return [...new Set(prefixes as string[])].sort((a, b) => Number(a) - Number(b)).map((unit) => ({ prefix: `${unit}/`, root: join(directory, unit) }));
}

/** A finding of one unit of a batch: its file gets the unit's prefix (a finding without file is filed under the unit's deploy/kubernetes). */
export function inUnit(unit: UnitRoot, finding: Finding): Finding {
  if (unit.prefix === '') return finding;
  return { ...finding, file: `${unit.prefix}${finding.file ?? kubernetesRoot}` };
}

/**
 * A copy of the object in a namespace of its own per scanned overlay ("o3-app"
 * for "app"), for tools that look at many overlays in one run and connect
 * objects by namespace (checkov's graph policies, kyverno's results by kind,
 * namespace and name): objects of two overlays are then never confused. Only
 * namespace names change (metadata.namespace, a Namespace's name, RBAC
 * subjects); an object without a namespace keeps none.
 */
export function inIsolatedNamespace(object: KubeObject, scope: string): KubeObject {
  const copy = structuredClone(object);
  if (copy.metadata?.namespace) copy.metadata.namespace = `${scope}-${copy.metadata.namespace}`;
  if (copy.kind === 'Namespace' && copy.metadata?.name) copy.metadata.name = `${scope}-${copy.metadata.name}`;
  const subjects = (copy as { subjects?: { namespace?: string }[] }).subjects;
  for (const subject of Array.isArray(subjects) ? subjects : []) if (subject.namespace) subject.namespace = `${scope}-${subject.namespace}`;
  return copy;
}

/** A temporary directory removed after `use` returns. */
export async function withTemporaryDirectory<T>(prefix: string, use: (path: string) => Promise<T>): Promise<T> {
  const path = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await use(path);
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

/** The first line with a version number that a command prints (for tool()). */
export async function toolVersion(command: string, args: readonly string[], pattern = /v?(\d+\.\d+\.\d+)/): Promise<string> {
  const { stdout, stderr, code } = await runTool(command, args);
  const version = pattern.exec(`${stdout}\n${stderr}`)?.[1];
  if (code !== 0 || !version) throw new Error(`${command} ${args.join(' ')} printed no version (exit ${code}): ${oneLine(stdout + stderr).slice(0, 300)}`);
  return version;
}

/** The tools directory's copy of a tool when installed there, else the name (found on PATH). */
export function toolCommand(context: CheckContext, name: string): string {
  const installed = join(context.toolsDir, 'bin', name);
  return existsSync(installed) ? installed : name;
}

export interface SchemaManifest {
  kubernetesVersion: string;
  kubernetesValidate: string;
  converter: string;
  crdModules: string[];
}

/** Where kubernetes-tools.sh put the kubeconform schemas, and what they are; throws when they are not installed for the pinned version. */
export function installedSchemas(context: CheckContext): { kubernetes: string; crds: string; manifest: SchemaManifest } {
  const root = join(context.toolsDir, 'kubernetes');
  const manifestPath = join(root, 'schemas.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run bash matrix/tools/install.sh`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as SchemaManifest;
  const kubernetes = join(root, 'schemas');
  if (manifest.kubernetesVersion !== kubernetesVersion || !existsSync(join(kubernetes, `v${kubernetesVersion}-local-strict`))) {
    throw new Error(`no schemas for Kubernetes ${kubernetesVersion} in ${kubernetes} (installed: ${manifest.kubernetesVersion}): run bash matrix/tools/install.sh`);
  }
  return { kubernetes, crds: join(root, 'crd-schemas'), manifest };
}
