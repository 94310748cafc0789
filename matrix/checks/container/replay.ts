/**
 * Replays a Dockerfile without a container engine: every stage the final
 * stage needs is built as an overlay filesystem on an emulated base image,
 * its RUN steps executed chrooted into it, its COPY steps (from the
 * .dockerignore-filtered context or from other stages) done as file copies.
 * Then the final stage starts the way a container runtime would start it:
 * ENTRYPOINT + CMD as PID 1 of a new PID namespace, as its USER, without
 * capabilities, with no_new_privs, on a read-only root with a tmpfs /tmp
 * (as compose.production.yaml and Kubernetes run it), and its HEALTHCHECK is
 * executed inside it until healthy. Finally it gets SIGTERM and must exit 0.
 *
 * It runs as root inside its own mount namespace (see dockerfile-replay.ts),
 * so every mount disappears with the process.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, cpSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from '../../support/deadline.ts';
import { matchesGlob } from '../../support/glob.ts';
import { runSync, startProcess as startSubprocess } from '../../support/process.ts';
import {
  DockerfileError,
  findStage,
  healthcheck as parseHealthcheck,
  keyValues,
  mountOptions,
  parseDockerfile,
  splitWords,
  stagesFor,
  substitute,
  unescape,
  type Dockerfile,
  type Healthcheck,
  type Instruction,
  type Stage,
} from './dockerfile.ts';

export interface Finding {
  file?: string;
  message: string;
}

/** A base image the replay can stand in for, described by the image.json beside its root. */
export interface BaseImage {
  /** The exact FROM reference it stands in for (name:tag@sha256:digest). */
  reference: string;
  root: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  workdir: string;
}

export interface ReplayOptions {
  /** The project directory: Dockerfile, .dockerignore and the build context. */
  contextDir: string;
  /** Scratch directory for layers and logs (the caller removes it). */
  workDir: string;
  bases: BaseImage[];
  /** Host directory behind RUN --mount=type=cache (one subdirectory per cache id). */
  cacheDir: string;
  buildArgs: Record<string, string>;
  /** Extra environment for the started container, like docker run -e. */
  runEnv: Record<string, string>;
  /** One-shot commands run with the final image before it starts (e.g. migrations), like docker run --rm IMAGE <command>. */
  before: string[][];
  stopTimeoutMs: number;
  stepTimeoutMs: number;
  log(message: string): void;
}

/** The image configuration a stage accumulates. */
interface Config {
  env: Map<string, string>;
  user: string;
  workdir: string;
  entrypoint: string[];
  cmd: string[];
  shell: string[];
  healthcheck?: Healthcheck;
  exposed: string[];
}

interface BuiltStage {
  stage: Stage;
  /** Overlay lower directories, top first. */
  layers: string[];
  config: Config;
  view?: string;
}

/** The network failed under a build step: the replay could not run, which says nothing about the Dockerfile. */
export class TransientFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientFailure';
  }
}

const NETWORK_ERRORS = /\b(EAI_AGAIN|ECONNRESET|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|ENOTFOUND|socket hang up|Temporary failure resolving|Could not connect to|Failed to fetch .* (5\d\d|Connection))\b|\b(502|503|504) (Bad Gateway|Service Unavailable|Gateway Time-?out)\b/;

class ReplayFailure extends Error {
  readonly file: string;
  constructor(message: string, file = 'Dockerfile') {
    super(message);
    this.name = 'ReplayFailure';
    this.file = file;
  }
}

const run = (command: string, args: string[]) => runSync(command, args);

function mountOverlay(layers: string[], target: string, upper?: { upper: string; work: string }): void {
  mkdirSync(target, { recursive: true });
  for (const layer of layers) if (/[:,]/.test(layer)) throw new Error(`overlay layer path must not contain ":" or ",": ${layer}`);
  const options = [`lowerdir=${layers.join(':')}`];
  if (upper) options.push(`upperdir=${upper.upper}`, `workdir=${upper.work}`);
  run('mount', ['-t', 'overlay', 'overlay', '-o', options.join(','), target]);
}

const unmount = (target: string) => run('umount', ['--lazy', target]);

/**
 * Resolves a path inside a root the way the kernel would after chroot:
 * symbolic links (absolute ones relative to the root) never lead outside.
 */
export function resolveInRoot(root: string, path: string, followLast = true): string {
  const parts = posix.normalize(`/${path}`).split('/').filter(Boolean);
  let current: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift() as string;
    if (part === '..') {
      current.pop();
      continue;
    }
    const candidate = join(root, ...current, part);
    let link: string | undefined;
    try {
      if (lstatSync(candidate).isSymbolicLink() && (followLast || parts.length > 0)) link = readlinkSync(candidate);
    } catch {
      // Does not exist (yet): the rest is taken literally.
    }
    if (link === undefined) {
      current.push(part);
      continue;
    }
    if (++hops > 40) throw new ReplayFailure(`too many levels of symbolic links resolving ${path}`);
    if (link.startsWith('/')) current = [];
    parts.unshift(...link.split('/').filter(Boolean));
  }
  return join(root, ...current);
}

/**
 * .dockerignore semantics: patterns in order, `!` re-includes, a match on a
 * parent directory counts. Patterns are matched with the matrix's glob matcher
 * (support/glob.ts), where, as in Docker's, `*` and `**` match dot-names too.
 */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!');
      const pattern = posix.normalize((exclude ? line : line.slice(1)).trim()).replace(/^\/+|\/+$/g, '');
      return { exclude, pattern };
    });
  return (path: string) => {
    const parents = path.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
    let ignored = false;
    for (const rule of rules) if (parents.some((candidate) => matchesGlob(candidate, rule.pattern))) ignored = rule.exclude;
    return ignored;
  };
}

function walk(root: string, directory = ''): string[] {
  const result: string[] = [];
  for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
    const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
    result.push(path);
    if (entry.isDirectory()) result.push(...walk(root, path));
  }
  return result;
}

/** Copies the context minus what .dockerignore excludes, as the client sends it to the builder. */
function buildContext(options: ReplayOptions): string {
  const context = join(options.workDir, 'context');
  mkdirSync(context, { recursive: true });
  const ignoreFile = join(options.contextDir, '.dockerignore');
  const ignored = existsSync(ignoreFile) ? dockerignoreMatcher(readFileSync(ignoreFile, 'utf8')) : () => false;
  let count = 0;
  for (const path of walk(options.contextDir)) {
    if (ignored(path)) continue;
    const source = join(options.contextDir, path);
    const stat = lstatSync(source);
    if (stat.isDirectory()) continue;
    mkdirSync(dirname(join(context, path)), { recursive: true });
    cpSync(source, join(context, path), { verbatimSymlinks: true });
    count++;
  }
  options.log(`context: ${count} files after .dockerignore`);
  return context;
}

function passwdLookup(root: string, file: 'passwd' | 'group', name: string): number | undefined {
  const path = resolveInRoot(root, `/etc/${file}`);
  if (!existsSync(path)) return undefined;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name) return Number(fields[2]);
  }
  return undefined;
}

/** USER as numeric ids, resolving names through the image's /etc/passwd and /etc/group. */
function userIds(root: string, user: string): { uid: number; gid: number; home: string } {
  const [userPart, groupPart] = user.split(':') as [string, string | undefined];
  const uid = /^\d+$/.test(userPart) ? Number(userPart) : passwdLookup(root, 'passwd', userPart);
  if (uid === undefined) throw new ReplayFailure(`USER ${user}: no such user in the image`);
  let gid: number | undefined;
  let home = '/';
  const passwd = resolveInRoot(root, '/etc/passwd');
  const entry = existsSync(passwd) ? readFileSync(passwd, 'utf8').split('\n').map((line) => line.split(':')).find((fields) => Number(fields[2]) === uid) : undefined;
  if (entry) home = entry[5] || '/';
  if (groupPart === undefined) gid = entry ? Number(entry[3]) : uid === 0 ? 0 : uid;
  else gid = /^\d+$/.test(groupPart) ? Number(groupPart) : passwdLookup(root, 'group', groupPart);
  if (gid === undefined) throw new ReplayFailure(`USER ${user}: no such group in the image`);
  return { uid, gid, home };
}

function environment(config: Config, extra: Record<string, string>, home: string): Record<string, string> {
  const env: Record<string, string> = { HOSTNAME: 'replay', ...Object.fromEntries(config.env), ...extra };
  env.HOME ??= home;
  return env;
}

/** Runs a command inside a stage root (mounts already in place), with output to a log file. */
async function execute(
  argv: string[],
  options: { root: string; workdir: string; env: Record<string, string>; uid: number; gid: number; timeoutMs: number; logFile: string; newPidNamespace: boolean },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; output: string }> {
  const child = startProcess(argv, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])));
  clearTimeout(timer);
  return { code, signal, timedOut, output: readFileSync(options.logFile, 'utf8') };
}

/** Docker's default capability set for containers (and so for RUN steps). */
const DOCKER_CAPABILITIES = ['chown', 'dac_override', 'fsetid', 'fowner', 'mknod', 'net_raw', 'setgid', 'setuid', 'setfcap', 'setpcap', 'net_bind_service', 'sys_chroot', 'kill', 'audit_write'];

/**
 * Starts argv chrooted into `root` as uid:gid. Build steps get Docker's
 * default capabilities; a started container (newPidNamespace) also gets
 * no_new_privs, and its switch to a non-root USER clears every capability,
 * as cap_drop: [ALL] with no-new-privileges does. unshare itself needs
 * sys_admin for the PID namespace and /proc, which the user switch drops.
 */
function startProcess(
  argv: string[],
  options: { root: string; workdir: string; env: Record<string, string>; uid: number; gid: number; logFile: string; newPidNamespace: boolean },
): ChildProcess {
  const unshare = ['--root', options.root, '--wd', options.workdir];
  if (options.newPidNamespace) unshare.unshift('--pid', '--fork', '--kill-child', '--mount-proc');
  if (options.uid !== 0 || options.gid !== 0) unshare.push('--setgid', String(options.gid), '--setuid', String(options.uid));
  const capabilities = options.newPidNamespace ? [...DOCKER_CAPABILITIES, 'sys_admin'] : DOCKER_CAPABILITIES;
  const wrapper = [`--bounding-set=-all,${capabilities.map((capability) => `+${capability}`).join(',')}`, '--inh-caps=-all'];
  if (options.newPidNamespace) wrapper.unshift('--no-new-privs');
  writeFileSync(options.logFile, '');
  const log = openSync(options.logFile, 'a');
  try {
    return startSubprocess('setpriv', [...wrapper, 'unshare', ...unshare, '--', ...argv], { env: options.env, output: log }).child;
  } finally {
    closeSync(log);
  }
}

export async function replay(options: ReplayOptions): Promise<Finding[]> {
  try {
    return await replayOrThrow(options);
  } catch (error) {
    if (error instanceof ReplayFailure) return [{ file: error.file, message: error.message }];
    if (error instanceof DockerfileError) return [{ file: 'Dockerfile', message: error.message }];
    throw error;
  }
}

async function replayOrThrow(options: ReplayOptions): Promise<Finding[]> {
  const dockerfile = parseDockerfile(readFileSync(join(options.contextDir, 'Dockerfile'), 'utf8'));
  const context = buildContext(options);
  const target = dockerfile.stages.at(-1) as Stage;
  const needed = stagesFor(dockerfile, target);
  options.log(`stages for ${target.name ?? 'the final stage'}: ${needed.map((stage) => stage.name ?? stage.index).join(', ')}`);
  const builds = new Map<number, Promise<BuiltStage>>();
  const buildOf = (stage: Stage): Promise<BuiltStage> => {
    let promise = builds.get(stage.index);
    if (!promise) {
      promise = buildStage(stage, dockerfile, options, context, buildOf);
      builds.set(stage.index, promise);
    }
    return promise;
  };
  // Independent stages build concurrently, as BuildKit does.
  const results = await Promise.allSettled(needed.map((stage) => buildOf(stage)));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  const final = await buildOf(target);
  return [...inspectRuntime(final, options), ...(await start(final, options))];
}

async function buildStage(
  stage: Stage,
  dockerfile: Dockerfile,
  options: ReplayOptions,
  context: string,
  buildOf: (stage: Stage) => Promise<BuiltStage>,
): Promise<BuiltStage> {
  const label = stage.name ?? String(stage.index);
  const directory = join(options.workDir, 'stages', `${stage.index}`);
  const parent = findStage(dockerfile, stage.from, stage.index);
  let layers: string[];
  let config: Config;
  if (parent) {
    const built = await buildOf(parent);
    layers = [...built.layers];
    config = { ...built.config, env: new Map(built.config.env), exposed: [...built.config.exposed] };
  } else {
    const base = options.bases.find((candidate) => candidate.reference === stage.from);
    if (!base) {
      throw new ReplayFailure(
        `FROM ${stage.from} (line ${stage.line}): no emulated base image for this exact reference (have: ${options.bases.map((candidate) => candidate.reference).join(', ') || 'none'}); run matrix/tools/container-tools.sh after changing versions.json`,
      );
    }
    layers = [base.root];
    config = { env: new Map(Object.entries(base.env)), user: 'root', workdir: base.workdir, entrypoint: base.entrypoint, cmd: base.cmd, shell: ['/bin/sh', '-c'], exposed: [] };
  }
  // COPY --from sources must be complete before this stage copies from them.
  const sources = new Map<string, BuiltStage>();
  for (const instruction of stage.instructions) {
    const from = instruction.flags.get('from')?.at(-1);
    if (instruction.keyword !== 'COPY' || from === undefined) continue;
    const source = findStage(dockerfile, from, stage.index);
    if (!source) throw new ReplayFailure(`line ${instruction.line}: COPY --from=${from} names no earlier stage`);
    sources.set(from, await buildOf(source));
  }

  const upper = join(directory, 'upper');
  const work = join(directory, 'work');
  const root = join(directory, 'root');
  mkdirSync(upper, { recursive: true });
  mkdirSync(work, { recursive: true });
  mountOverlay(layers, root, { upper, work });
  const args = new Map<string, string>();
  const globalArgs = new Map<string, string | undefined>();
  for (const arg of dockerfile.globalArgs) {
    for (const word of splitWords(arg.args, arg.line)) {
      const [name, ...value] = unescape(word).split('=');
      globalArgs.set(name as string, options.buildArgs[name as string] ?? (value.length > 0 ? value.join('=') : undefined));
    }
  }
  const started = Date.now();
  try {
    for (const instruction of stage.instructions) {
      const variables = new Map([...args, ...config.env]);
      await step(instruction, { root, config, args, globalArgs, variables, options, context, sources, label, directory });
    }
  } finally {
    unmount(root);
  }
  options.log(`stage ${label}: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { stage, layers: [upper, ...layers], config };
}

interface StepContext {
  root: string;
  config: Config;
  args: Map<string, string>;
  globalArgs: Map<string, string | undefined>;
  variables: Map<string, string>;
  options: ReplayOptions;
  context: string;
  sources: Map<string, BuiltStage>;
  label: string;
  directory: string;
}

async function step(instruction: Instruction, step: StepContext): Promise<void> {
  const { config, variables, options } = step;
  const where = `line ${instruction.line}`;
  switch (instruction.keyword) {
    case 'ARG':
      for (const word of splitWords(instruction.args, instruction.line)) {
        const [name, ...value] = unescape(word).split('=');
        const given = options.buildArgs[name as string];
        const fallback = value.length > 0 ? substitute(value.join('='), variables, instruction.line) : step.globalArgs.get(name as string);
        // Declared without a value and not given: the variable stays unset, as in Docker.
        const resolved = given ?? fallback;
        if (resolved !== undefined) step.args.set(name as string, resolved);
      }
      return;
    case 'ENV':
      for (const [key, value] of keyValues(instruction, variables)) config.env.set(key, value);
      return;
    case 'LABEL':
      keyValues(instruction, variables);
      return;
    case 'WORKDIR': {
      const path = substitute(instruction.args.trim(), variables, instruction.line);
      config.workdir = posix.resolve(config.workdir, path);
      mkdirSync(resolveInRoot(step.root, config.workdir), { recursive: true });
      return;
    }
    case 'USER':
      config.user = substitute(instruction.args.trim(), variables, instruction.line);
      userIds(step.root, config.user);
      return;
    case 'EXPOSE':
      config.exposed.push(...splitWords(instruction.args).map((word) => substitute(word, variables)));
      return;
    case 'ENTRYPOINT':
      config.entrypoint = instruction.exec ?? [...config.shell, instruction.args];
      // Docker: setting ENTRYPOINT resets a CMD inherited from the base.
      config.cmd = [];
      return;
    case 'CMD':
      config.cmd = instruction.exec ?? [...config.shell, instruction.args];
      return;
    case 'SHELL':
      if (!instruction.exec) throw new ReplayFailure(`${where}: SHELL needs the JSON form`);
      config.shell = instruction.exec;
      return;
    case 'HEALTHCHECK':
      config.healthcheck = parseHealthcheck(instruction, config.shell);
      return;
    case 'STOPSIGNAL':
      if (!/^(SIGTERM|TERM|15)$/i.test(instruction.args.trim())) throw new ReplayFailure(`${where}: STOPSIGNAL ${instruction.args} is not replayed (the replay stops with SIGTERM)`);
      return;
    case 'COPY':
      copy(instruction, step);
      return;
    case 'RUN':
      await runStep(instruction, step);
      return;
    default:
      throw new ReplayFailure(`${where}: ${instruction.keyword} is not supported by the replay`);
  }
}

function copy(instruction: Instruction, step: StepContext): void {
  const { root, config, variables } = step;
  const where = `line ${instruction.line}`;
  for (const flag of instruction.flags.keys()) {
    if (!['from', 'chown', 'chmod', 'link'].includes(flag)) throw new ReplayFailure(`${where}: COPY --${flag} is not supported by the replay`);
  }
  const words = (instruction.exec ?? splitWords(instruction.args, instruction.line)).map((word) => substitute(word, variables, instruction.line));
  if (words.length < 2) throw new ReplayFailure(`${where}: COPY needs a source and a destination`);
  const destination = words.at(-1) as string;
  const from = instruction.flags.get('from')?.at(-1);
  const source = from === undefined ? undefined : step.sources.get(from);
  let sourceRoot = step.context;
  if (source) {
    source.view ??= (() => {
      const view = join(step.options.workDir, 'views', String(source.stage.index));
      mountOverlay(source.layers, view);
      return view;
    })();
    sourceRoot = source.view;
  }
  // Sources are relative to the root of the other stage, or of the build context.
  const resolveSource = (path: string) => (source ? resolveInRoot(sourceRoot, posix.resolve('/', path)) : join(sourceRoot, posix.normalize(`/${path}`)));
  const matches: string[] = [];
  for (const pattern of words.slice(0, -1)) {
    if (/[*?[]/.test(pattern)) {
      const segments = posix.resolve('/', pattern).split('/').filter(Boolean);
      const fixed = segments.slice(0, segments.findIndex((segment) => /[*?[]/.test(segment)));
      // Only the directory before the first wildcard is walked.
      const base = source ? resolveInRoot(sourceRoot, `/${fixed.join('/')}`) : join(sourceRoot, ...fixed);
      const glob = segments.slice(fixed.length).join('/');
      const found = existsSync(base) ? walk(base).filter((path) => matchesGlob(path, glob)).map((path) => join(base, path)) : [];
      if (found.length === 0) throw new ReplayFailure(`${where}: COPY source ${pattern} matches nothing${source ? ` in stage ${from}` : ' in the build context (is it in .dockerignore?)'}`);
      matches.push(...found);
    } else {
      const path = resolveSource(pattern);
      if (!existsSync(path)) throw new ReplayFailure(`${where}: COPY source ${pattern} not found${source ? ` in stage ${from}` : ' in the build context (missing, or excluded by .dockerignore)'}`);
      matches.push(path);
    }
  }
  const destinationPath = posix.resolve(config.workdir, destination);
  const intoDirectory = destination.endsWith('/') || matches.length > 1;
  const chown = instruction.flags.get('chown')?.at(-1);
  const owner = chown === undefined ? undefined : userIds(root, substitute(chown, variables));
  const chmod = instruction.flags.get('chmod')?.at(-1);
  const written: string[] = [];
  for (const match of matches) {
    const isDirectory = statSync(match).isDirectory();
    const target = isDirectory ? destinationPath : intoDirectory ? posix.join(destinationPath, basename(match)) : destinationPath;
    const hostTarget = resolveInRoot(root, target, false);
    mkdirSync(isDirectory ? hostTarget : dirname(hostTarget), { recursive: true });
    if (isDirectory) {
      for (const entry of readdirSync(match)) cpSync(join(match, entry), join(hostTarget, entry), { recursive: true, verbatimSymlinks: true, force: true });
    } else cpSync(match, hostTarget, { verbatimSymlinks: true, force: true });
    written.push(hostTarget);
  }
  for (const path of written) {
    for (const file of [path, ...(statSync(path).isDirectory() ? walk(path).map((entry) => join(path, entry)) : [])]) {
      const isLink = lstatSync(file).isSymbolicLink();
      if (owner && !isLink) chownSync(file, owner.uid, owner.gid);
      if (chmod !== undefined && !isLink) chmodSync(file, Number.parseInt(chmod, 8));
    }
  }
}

async function runStep(instruction: Instruction, step: StepContext): Promise<void> {
  const { root, config, options } = step;
  const where = `line ${instruction.line}`;
  const mounted: string[] = [];
  // Mount points the replay had to create for a file mount; removed afterwards so they stay out of the layer.
  const created: string[] = [];
  const mountAt = (containerPath: string, kind: 'file' | 'directory') => {
    const target = resolveInRoot(root, containerPath);
    if (kind === 'directory') mkdirSync(target, { recursive: true });
    else if (!existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, '');
      created.push(target);
    }
    return target;
  };
  const buildEnv: Record<string, string> = {};
  try {
    for (const flag of instruction.flags.keys()) {
      if (flag !== 'mount') throw new ReplayFailure(`${where}: RUN --${flag} is not supported by the replay`);
    }
    for (const value of instruction.flags.get('mount') ?? []) {
      const mount = mountOptions(value, instruction.line);
      const type = mount.get('type') ?? 'bind';
      const targetPath = mount.get('target') ?? mount.get('dst') ?? mount.get('destination');
      if (type === 'secret') {
        // No secret is given, as in a build without --secret: BuildKit skips an optional secret mount.
        if (mount.get('required') === 'true') throw new ReplayFailure(`${where}: the secret ${mount.get('id')} is required; builds without it fail`);
        continue;
      }
      if (targetPath === undefined) throw new ReplayFailure(`${where}: --mount=${value} has no target`);
      const target = posix.resolve(config.workdir, targetPath);
      if (type === 'cache') {
        const id = mount.get('id') ?? target;
        const host = join(options.cacheDir, id.replace(/[^A-Za-z0-9._-]/g, '_'));
        mkdirSync(host, { recursive: true });
        const point = mountAt(target, 'directory');
        run('mount', ['--bind', host, point]);
        mounted.push(point);
      } else if (type === 'tmpfs') {
        const point = mountAt(target, 'directory');
        run('mount', ['-t', 'tmpfs', 'tmpfs', point]);
        mounted.push(point);
      } else {
        throw new ReplayFailure(`${where}: RUN --mount type=${type} is not supported by the replay`);
      }
    }
    const proc = mountAt('/proc', 'directory');
    run('mount', ['-t', 'proc', 'proc', proc]);
    mounted.push(proc);
    for (const file of ['/etc/resolv.conf', '/etc/hosts']) {
      const point = mountAt(file, 'file');
      run('mount', ['--bind', '-o', 'ro', file, point]);
      mounted.push(point);
    }
    // The builder's network: behind a TLS-inspecting proxy the machine trusts an extra CA
    // (NODE_EXTRA_CA_CERTS). RUN steps get it as a builder configured for that network would;
    // it is mounted for the step only and is not part of any layer.
    const extraCa = process.env.NODE_EXTRA_CA_CERTS;
    if (extraCa && existsSync(extraCa)) {
      const point = mountAt(EXTRA_CA_PATH, 'file');
      run('mount', ['--bind', '-o', 'ro', extraCa, point]);
      mounted.push(point);
      buildEnv.NODE_EXTRA_CA_CERTS = EXTRA_CA_PATH;
    }
    const argv = instruction.exec ?? [...config.shell, instruction.args];
    const ids = userIds(root, config.user);
    const env = environment(config, { ...Object.fromEntries(step.args), ...buildEnv }, ids.home);
    const logFile = join(step.directory, `run-line-${instruction.line}.log`);
    const started = Date.now();
    options.log(`stage ${step.label}, line ${instruction.line}: RUN ${instruction.args.replace(/\s+/g, ' ').slice(0, 120)}`);
    const result = await execute(argv, { root, workdir: config.workdir, env, uid: ids.uid, gid: ids.gid, timeoutMs: options.stepTimeoutMs, logFile, newPidNamespace: false });
    options.log(`stage ${step.label}, line ${instruction.line}: exit ${result.code ?? result.signal} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!result.timedOut && result.code !== 0 && NETWORK_ERRORS.test(result.output)) {
      throw new TransientFailure(`${where}: RUN failed on a network error in stage ${step.label}:\n${tail(result.output, 10)}`);
    }
    if (result.timedOut || result.code !== 0) {
      throw new ReplayFailure(
        `${where}: RUN failed (${result.timedOut ? `timed out after ${options.stepTimeoutMs / 1000} s` : `exit ${result.code ?? result.signal}`}) in stage ${step.label}:\n${tail(result.output)}`,
      );
    }
  } finally {
    for (const point of mounted.reverse()) unmount(point);
    for (const file of created) rmSync(file, { force: true });
  }
}

const EXTRA_CA_PATH = '/run/replay-build-ca.crt';

const tail = (text: string, lines = 25) => text.trimEnd().split('\n').slice(-lines).join('\n');

/** What the final image holds in its WORKDIR: only the build output and production dependencies. */
function inspectRuntime(final: BuiltStage, options: ReplayOptions): Finding[] {
  const findings: Finding[] = [];
  const view = join(options.workDir, 'inspect');
  mountOverlay(final.layers, view);
  try {
    const workdir = resolveInRoot(view, final.config.workdir);
    const allowed = new Set(['dist', 'node_modules', 'package.json', 'package-lock.json']);
    const extra = existsSync(workdir) ? readdirSync(workdir).filter((entry) => !allowed.has(entry)) : [];
    if (extra.length > 0) findings.push({ file: 'Dockerfile', message: `the runtime image's ${final.config.workdir} holds more than dist/, node_modules and package.json: ${extra.join(', ')}` });
    if (!existsSync(join(workdir, 'dist'))) findings.push({ file: 'Dockerfile', message: `the runtime image has no ${final.config.workdir}/dist` });
    // Packages the lockfile marks dev-only (needed by no production dependency) must not ship.
    const lockfile = join(options.contextDir, 'package-lock.json');
    if (existsSync(lockfile)) {
      const { packages = {} } = JSON.parse(readFileSync(lockfile, 'utf8')) as { packages?: Record<string, { dev?: boolean }> };
      const leaked = Object.entries(packages)
        .filter(([path, entry]) => entry.dev === true && path.startsWith('node_modules/') && existsSync(join(workdir, path, 'package.json')))
        .map(([path]) => path.slice('node_modules/'.length));
      if (leaked.length > 0) findings.push({ file: 'Dockerfile', message: `dev-only packages in the runtime image: ${leaked.slice(0, 10).join(', ')}${leaked.length > 10 ? `, and ${leaked.length - 10} more` : ''}` });
    }
    const ids = userIds(view, final.config.user);
    if (ids.uid === 0) findings.push({ file: 'Dockerfile', message: 'the runtime image runs as root' });
  } finally {
    unmount(view);
  }
  return findings;
}

async function start(final: BuiltStage, options: ReplayOptions): Promise<Finding[]> {
  const { config } = final;
  const findings: Finding[] = [];
  const argv = [...config.entrypoint, ...config.cmd];
  if (argv.length === 0) return [{ file: 'Dockerfile', message: 'the final stage has neither ENTRYPOINT nor CMD' }];
  if (!config.healthcheck) findings.push({ file: 'Dockerfile', message: 'the final stage has no HEALTHCHECK' });
  const root = join(options.workDir, 'container');
  mountOverlay(final.layers, root);
  const mounted = [root];
  try {
    // read_only: true with a tmpfs /tmp, as compose.production.yaml and Kubernetes run it.
    const tmp = resolveInRoot(root, '/tmp');
    if (!existsSync(tmp)) return [{ file: 'Dockerfile', message: 'the runtime image has no /tmp to mount a tmpfs on' }];
    run('mount', ['-t', 'tmpfs', '-o', 'mode=1777,size=64m', 'tmpfs', tmp]);
    mounted.push(tmp);
    for (const file of ['/etc/resolv.conf', '/etc/hosts']) {
      const point = resolveInRoot(root, file);
      if (!existsSync(point)) continue;
      run('mount', ['--bind', '-o', 'ro', file, point]);
      mounted.push(point);
    }
    const ids = userIds(root, config.user);
    const env = environment(config, options.runEnv, ids.home);
    const logs = join(options.workDir, 'container.log');

    for (const command of options.before) {
      const oneShot = [...config.entrypoint, ...command];
      options.log(`one-shot: ${oneShot.join(' ')}`);
      const result = await execute(oneShot, { root, workdir: config.workdir, env, uid: ids.uid, gid: ids.gid, timeoutMs: options.stepTimeoutMs, logFile: join(options.workDir, 'one-shot.log'), newPidNamespace: true });
      if (result.timedOut || result.code !== 0) {
        findings.push({ file: 'Dockerfile', message: `${oneShot.join(' ')} failed in the image (${result.timedOut ? 'timed out' : `exit ${result.code ?? result.signal}`}):\n${tail(result.output)}` });
        return findings;
      }
    }

    options.log(`start: ${argv.join(' ')} as ${config.user} in ${config.workdir}`);
    const started = Date.now();
    const container = startProcess(argv, { root, workdir: config.workdir, env, uid: ids.uid, gid: ids.gid, logFile: logs, newPidNamespace: true });
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const exit = new Promise<void>((resolve) =>
      container.on('exit', (code, signal) => {
        exited = { code, signal };
        resolve();
      }),
    );
    const killAll = () => {
      const init = initPid(container.pid);
      if (init !== undefined) process.kill(init, 'SIGKILL');
      container.kill('SIGKILL');
    };
    process.once('exit', killAll);
    try {
      const init = await waitFor(() => initPid(container.pid), 5000);
      if (init === undefined) {
        await withDeadline(exit, 2000, undefined);
        findings.push({ file: 'Dockerfile', message: `the container did not start (${exited ? `exit ${exited.code ?? exited.signal}` : 'no process'}):\n${tail(readFileSync(logs, 'utf8'))}` });
        return findings;
      }
      if (config.healthcheck) {
        const healthy = await waitHealthy(config.healthcheck, { init, env, ids, options, exited: () => exited });
        if (!healthy.ok) {
          findings.push({ file: 'Dockerfile', message: `${healthy.reason}\ncontainer output:\n${tail(readFileSync(logs, 'utf8'))}` });
          killAll();
          return findings;
        }
        options.log(`healthy after ${((Date.now() - started) / 1000).toFixed(1)} s (HEALTHCHECK ${config.healthcheck.command.join(' ').slice(0, 80)}...)`);
      }
      // docker stop: SIGTERM to PID 1, then SIGKILL after the grace period.
      const stopping = Date.now();
      process.kill(init, 'SIGTERM');
      const stopped = await withDeadline(exit.then(() => true), options.stopTimeoutMs, false);
      if (!stopped) {
        killAll();
        findings.push({ file: 'Dockerfile', message: `the container did not stop within ${options.stopTimeoutMs / 1000} s of SIGTERM:\n${tail(readFileSync(logs, 'utf8'))}` });
      } else if (exited?.code !== 0) {
        findings.push({ file: 'Dockerfile', message: `after SIGTERM the container exited with ${exited?.code ?? exited?.signal} instead of 0:\n${tail(readFileSync(logs, 'utf8'))}` });
      } else {
        options.log(`stopped with exit 0 ${((Date.now() - stopping) / 1000).toFixed(1)} s after SIGTERM`);
      }
    } finally {
      process.removeListener('exit', killAll);
      if (!exited) killAll();
      await withDeadline(exit, 5000, undefined);
    }
    return findings;
  } finally {
    for (const point of mounted.reverse()) unmount(point);
  }
}

/** The container's PID 1 on the host: the child unshare forked. */
function initPid(unsharePid: number | undefined): number | undefined {
  if (unsharePid === undefined) return undefined;
  try {
    const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    // setpriv execs unshare in place; unshare forks the container init.
    return children.length > 0 ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(50);
  }
}

/**
 * Runs the HEALTHCHECK command inside the container (like docker exec: its
 * namespaces, root, working directory, user and environment). Healthy at the
 * first success; unhealthy once the start period and `retries` intervals have
 * passed without one. Probes run every second instead of every interval, so
 * the replay is fast but never more lenient.
 */
async function waitHealthy(
  check: Healthcheck,
  context: { init: number; env: Record<string, string>; ids: { uid: number; gid: number }; options: ReplayOptions; exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined },
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const deadline = Date.now() + check.startPeriodMs + check.retries * check.intervalMs;
  const probeLog = join(context.options.workDir, 'healthcheck.log');
  let last = '';
  let attempts = 0;
  while (Date.now() < deadline) {
    const exited = context.exited();
    if (exited) return { ok: false, reason: `the container exited (${exited.code ?? exited.signal}) before it was healthy` };
    attempts++;
    const args = ['--target', String(context.init), '--mount', '--pid', '--root', '--wd'];
    if (context.ids.uid !== 0 || context.ids.gid !== 0) args.push('--setgid', String(context.ids.gid), '--setuid', String(context.ids.uid));
    writeFileSync(probeLog, '');
    const log = openSync(probeLog, 'a');
    const probe = startSubprocess('setpriv', ['--no-new-privs', 'nsenter', ...args, '--', ...check.command], { env: context.env, output: log }).child;
    closeSync(log);
    const timer = setTimeout(() => probe.kill('SIGKILL'), check.timeoutMs);
    const code = await new Promise<number | null>((resolve) => probe.on('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(timer);
    if (code === 0) return { ok: true };
    last = `exit ${code ?? 'timeout'}${readFileSync(probeLog, 'utf8').trim() ? `: ${tail(readFileSync(probeLog, 'utf8'), 5)}` : ''}`;
    await sleep(Math.min(1000, check.intervalMs));
  }
  return {
    ok: false,
    reason: `HEALTHCHECK did not pass within start period ${check.startPeriodMs / 1000} s + ${check.retries} retries x ${check.intervalMs / 1000} s (${attempts} attempts, last: ${last})`,
  };
}

/** Reads the emulated base images from a directory of <name>/image.json + <name>/root. */
export function loadBases(directory: string): BaseImage[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((entry) => existsSync(join(directory, entry, 'image.json')))
    .map((entry) => {
      const image = JSON.parse(readFileSync(join(directory, entry, 'image.json'), 'utf8')) as Omit<BaseImage, 'root'>;
      return { ...image, root: join(directory, entry, 'root') };
    });
}


if (import.meta.main) {
  const [configFile] = process.argv.slice(2);
  if (!configFile) throw new Error('usage: node replay.ts <config.json> (run by dockerfile-replay.ts)');
  const { options, result } = JSON.parse(readFileSync(configFile, 'utf8')) as { options: Omit<ReplayOptions, 'log'>; result: string };
  // Signals end the process through exit handlers, which stop a started container.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
  try {
    const findings = await replay({ ...options, log: (message) => process.stderr.write(`${message}\n`) });
    writeFileSync(result, JSON.stringify({ findings }));
  } catch (error) {
    if (!(error instanceof TransientFailure)) throw error;
    writeFileSync(result, JSON.stringify({ error: error.message }));
  }
}
