/**
 * The app generator: resolves the answers, composes the features that apply,
 * writes the assembled files, commits safely, installs and initialises git.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { answersRecord, coerce, coerceAll, completeAnswers, explicitSavedAnswers, UsageError } from '../core/answers.ts';
import { readAnswersFile } from '../core/answers-file.ts';
import { commitPlan } from '../core/commit.ts';
import { asFileSystemError } from '../core/fs-errors.ts';
import { deriveFacts, type Facts } from '../core/facts.ts';
import { featureFacts } from '../core/feature-generator.ts';
import { jsonText } from '../core/json-text.ts';
import { alignMarkdownTables } from '../core/markdown-tables.ts';
import { applies, defaultValue, optionByName, options, type AnswerName, type AnswerValue, type Answers, type PartialAnswers } from '../core/options.ts';
import { plannedText } from '../core/help.ts';
import { style, withoutTaskErrorLine } from '../core/output.ts';
import { NOTHING_WRITTEN, setInterruptNote } from '../core/interrupt.ts';
import { packageManagerNote } from '../core/package-manager.ts';
import { generatorVersion } from '../core/paths.ts';
import { contentEntries } from '../core/target.ts';
import { CONFIG_KEY, readSavedProject } from '../core/saved-project.ts';
import { ANSWERS_FILE, conflictError, describePlan, manifestLines, manifestOf, planWrites, relativeInside, type Manifest, type PendingFile } from '../core/write-plan.ts';
import { features, type RegisteredFeature } from './features.ts';
import { initGitRepository, installDependencies, postWriteError, skippedStep, type StepOutcome } from './post-write.ts';
import { formatDuration } from '../core/progress.ts';
import { fileGroups, RunReport } from './run-report.ts';

export type AppOptions = BaseOptions & {
  /** Ask for options not given; the CLI sets this when stdin is a TTY and --yes is absent. */
  interactive?: boolean;
  answersFile?: string;
  dryRun?: boolean;
  force?: boolean;
  skipInstall?: boolean;
  skipGit?: boolean;
  /** --json: stdout is the CLI's JSON document only, so the summary and the dry-run plan are not printed (the report has them). */
  json?: boolean;
  /** Filled in as the run goes (target, answers, files, steps, next steps); the CLI prints it with --json. */
  report?: RunReport;
  /** Keep the rendered files in memory (see render.ts) and write nothing: for the matrix and benchmarks. */
  inMemory?: boolean;
  /** The features to compose instead of the registered ones (render.ts only: lets tests inject a faulty feature). */
  features?: readonly RegisteredFeature[];
  /** The name of the target directory given on the command line: the project name when no flag, answers file or saved answer names it. */
  nameFromDirectory?: string;
  /** The project goes to ./<name> under the working directory, decided once the name is known. */
  targetFromName?: boolean;
  /** Hears every option a feature reads through the facts (tests prove option ownership with it). */
  onOptionRead?: (feature: string, option: AnswerName) => void;
} & Partial<Record<AnswerName, unknown>>;

export { CONFIG_KEY } from '../core/saved-project.ts';

export default class AppGenerator extends Generator<Record<string, unknown>, AppOptions> {
  private given: PartialAnswers = {};
  /** Answers a generated project's .yo-rc.json records as defaults: they follow the other answers and are not asked again. */
  private savedDefaults: ReadonlySet<string> = new Set();
  private answers?: Answers;
  private facts?: Facts;
  private committed: string[] = [];
  private removed: string[] = [];
  /** The files the previous run recorded in .yo-rc.json (empty for a new project). */
  private previousFiles: Manifest = {};
  private readonly outcomes: StepOutcome[] = [];
  private readonly report: RunReport;
  /** With `inMemory`, the rendered files by path. */
  readonly rendered = new Map<string, string>();

  constructor(args: string[], opts: AppOptions) {
    super(args, opts, {
      disableLodashProperty: true,
      tasksMatchingPriority: true,
      templateContext: 'none',
      customInstallTask: true,
      customCommitTask: () => this.commit(),
    });
    (this as { log: unknown }).log = withoutTaskErrorLine(this.log as never);
    this.report = opts.report ?? new RunReport();
    this.report.dryRun = opts.dryRun === true;
    this.report.steps = this.outcomes;
  }

  override rootGeneratorName(): string {
    return CONFIG_KEY;
  }

  override rootGeneratorVersion(): string {
    return generatorVersion;
  }

  get result(): { answers?: Answers; facts?: Facts; files: string[] } {
    return { answers: this.answers, facts: this.facts, files: this.committed };
  }

  async initializing(): Promise<void> {
    setInterruptNote(NOTHING_WRITTEN);
    if (!this.options.targetFromName) this.report.target = this.destinationRoot();
    const problems: string[] = [];
    const saved = this.options.targetFromName ? {} : this.savedAnswers();
    const explicitSaved = explicitSavedAnswers(saved);
    problems.push(...explicitSaved.problems);
    const fromSaved = coerceAll(explicitSaved.raw, ANSWERS_FILE);
    this.savedDefaults = new Set(explicitSaved.defaults);
    const fileAnswers = this.options.answersFile ? readAnswersFile(this.options.answersFile) : {};
    const fromFile = coerceAll(fileAnswers, this.options.answersFile ?? 'answers file');
    const fromFlags: Record<string, AnswerValue> = {};
    for (const declaration of options) {
      const raw = this.options[declaration.name];
      if (raw === undefined) continue;
      const { value, problems: flagProblems } = coerce(declaration, raw);
      problems.push(...flagProblems);
      if (value !== undefined) fromFlags[declaration.name] = value;
    }
    // The directory names the project only when no flag, answers file or saved answer does (valid or not: those report their own problems).
    const namedElsewhere = this.options.name !== undefined || fileAnswers.name !== undefined || explicitSaved.raw.name !== undefined;
    const fromDirectory =
      namedElsewhere || this.options.nameFromDirectory === undefined ? { problems: [] } : coerce(optionByName('name'), this.options.nameFromDirectory, 'directory');
    problems.unshift(...fromSaved.problems, ...fromFile.problems, ...fromDirectory.problems);
    const directoryName = fromDirectory.value === undefined ? {} : { name: fromDirectory.value as string };
    this.given = { ...directoryName, ...fromSaved.answers, ...fromFile.answers, ...(fromFlags as PartialAnswers) };
    const target = this.options.targetFromName ? [] : this.targetProblems(Object.keys(saved).length > 0);
    // The target's own code only when it is the one problem: anything else needs fixing first.
    if (target.length > 0 && problems.length === 0) throw new UsageError(target, 'target-not-empty');
    problems.push(...target);
    if (problems.length > 0) throw new UsageError(problems);
  }

  async prompting(): Promise<void> {
    if (!this.options.interactive) return;
    const given = this.given;
    const questions = options
      .filter((declaration) => given[declaration.name] === undefined && !this.savedDefaults.has(declaration.name))
      .map((declaration) => {
        const answersSoFar = (prompted: Record<string, unknown>) => ({ ...given, ...prompted }) as PartialAnswers;
        const base = {
          name: declaration.name,
          message: `${declaration.message}${plannedText(declaration.planned)}`,
          when: (prompted: Record<string, unknown>) => applies(declaration, answersSoFar(prompted)),
          default: (prompted: Record<string, unknown>) => defaultValue(declaration, answersSoFar(prompted)),
        };
        if (declaration.type === 'boolean') return { ...base, type: 'confirm' };
        if (declaration.type === 'choice') {
          return {
            ...base,
            type: 'select',
            choices: (declaration.choices ?? []).map((choice) => ({ name: choice.value, value: choice.value, description: `${choice.description}${plannedText(choice.planned)}` })),
          };
        }
        const hint = declaration.choices ? ` (${declaration.choices.map((choice) => choice.value).join(', ')} or a host)` : '';
        return {
          ...base,
          message: `${declaration.message}${hint}${plannedText(declaration.planned)}`,
          type: 'input',
          default: (prompted: Record<string, unknown>) => String(defaultValue(declaration, answersSoFar(prompted)) ?? ''),
          validate: (input: string) => {
            const { problems } = coerce(declaration, input, 'answer');
            return problems.length === 0 || (problems[0] as string).replace(/^[^:]+: /, '');
          },
        };
      });
    const prompted = await this.prompt(questions as never);
    const { answers, problems } = coerceAll(prompted as Record<string, unknown>, 'answer');
    if (problems.length > 0) throw new UsageError(problems);
    this.given = { ...this.given, ...answers };
  }

  async configuring(): Promise<void> {
    const { answers, problems } = completeAnswers(this.given);
    if (!answers) throw new UsageError(problems);
    if (this.options.targetFromName) {
      this.destinationRoot(join(this.destinationRoot(), answers.name));
      this.report.target = this.destinationRoot();
      const saved = readSavedProject(this.destinationRoot(), this.displayPath());
      this.previousFiles = saved?.files ?? {};
      const targetProblems = this.targetProblems(saved !== undefined);
      if (targetProblems.length > 0) throw new UsageError(targetProblems, 'target-not-empty');
    }
    this.answers = answers;
    this.report.answers = {
      values: { ...answers },
      explicit: options.filter((declaration) => this.given[declaration.name] !== undefined).map((declaration) => declaration.name),
    };
    const facts = deriveFacts(answers);
    this.facts = facts;
    this.config.set({ version: generatorVersion, ...answersRecord(answers, this.given) });
    for (const feature of this.options.features ?? features) {
      if (!feature.definition.applies(featureFacts(feature.definition, facts, this.options.onOptionRead))) continue;
      await this.composeWith({ Generator: feature.Generator, path: feature.path }, { facts, onOptionRead: this.options.onOptionRead } as never);
    }
  }

  async install(): Promise<void> {
    if (this.options.inMemory || this.options.dryRun) return;
    if (this.options.skipInstall) {
      this.outcomes.push(skippedStep('install', '--skip-install'));
      return;
    }
    setInterruptNote(this.unfinishedNote(this.stepsLeft(true)));
    this.outcomes.push(await installDependencies(this.destinationRoot()));
  }

  async end(): Promise<void> {
    if (this.options.inMemory || this.options.dryRun) return;
    if (this.options.skipGit) this.outcomes.push(skippedStep('git', '--skip-git'));
    else {
      setInterruptNote(this.unfinishedNote(this.stepsLeft(false)));
      this.outcomes.push(await initGitRepository(this.destinationRoot(), this.initialCommitMessage()));
    }
    this.report.nextSteps = this.nextSteps();
    if (!this.options.json) this.printSummary();
    const failure = postWriteError(this.outcomes, this.displayPath());
    if (failure) throw failure;
  }

  private initialCommitMessage(): string {
    return `Initial commit from create-prodready-app ${generatorVersion}`;
  }

  /** The commands the run still had to do after the files were written: npm install (unless done or skipped), then git (unless skipped). */
  private stepsLeft(installLeft: boolean): string[] {
    const steps: string[] = [];
    if (installLeft && !this.options.skipInstall) steps.push('npm install');
    if (!this.options.skipGit) {
      steps.push('git init --initial-branch=main', 'git add --all', `git commit -m ${JSON.stringify(this.initialCommitMessage())}`);
    }
    return steps;
  }

  /** What an interrupt after the files are written says: they are complete, and the commands left to finish by hand. */
  private unfinishedNote(steps: readonly string[]): string {
    const finish = steps.length === 0 ? '' : ` To finish by hand:\n  cd ${this.displayPath()}\n${steps.map((step) => `  ${step}`).join('\n')}`;
    return `Interrupted: the project files in ${this.displayPath()} are written and complete.${finish}`;
  }

  /** Read and validated before Yeoman's config storage reads .yo-rc.json, so a broken one is a plain error. */
  private savedAnswers(): Record<string, unknown> {
    const saved = readSavedProject(this.destinationRoot(), this.displayPath());
    this.previousFiles = saved?.files ?? {};
    return saved?.answers ?? {};
  }

  /** An absolute path as the user should read it: relative to the working directory when inside it. */
  private display(path: string): string {
    const inside = relative(process.cwd(), path);
    return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? path : `./${inside}`;
  }

  private displayPath(): string {
    return this.display(this.destinationRoot());
  }

  /** A non-empty target is refused unless --force or it is a project this generator made. */
  private targetProblems(isGeneratedProject: boolean): string[] {
    const root = this.destinationRoot();
    let entries: string[];
    try {
      const stats = statSync(root, { throwIfNoEntry: false });
      if (!stats) return [];
      if (!stats.isDirectory()) return [`${this.displayPath()} exists and is not a directory.`];
      // Only VCS and editor metadata (.git, .idea, ...) counts as empty (target.ts).
      entries = contentEntries(root);
    } catch (error) {
      throw asFileSystemError(error, 'read the directory', this.displayPath());
    }
    entries = entries.filter((entry) => entry !== '.yo-rc.json' || !isGeneratedProject);
    if (entries.length === 0 || this.options.force || isGeneratedProject) return [];
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, ... (${entries.length} entries)` : '');
    return [`Directory ${this.displayPath()} is not empty (${shown}). Choose a new or empty directory, or pass --force to write into it (files that differ are overwritten).`];
  }

  private async commit(): Promise<void> {
    const root = this.destinationRoot();
    const rendered: PendingFile[] = [];
    let answersFile: string | undefined;
    for (const file of this.env.sharedFs.all()) {
      const state = (file as { state?: string }).state;
      if (state !== 'modified' && state !== 'deleted') continue;
      if (state === 'deleted') throw new Error(`Generator tried to delete ${file.path}; the generator never deletes files.`);
      const path = relativeInside(root, file.path);
      delete (file as { state?: string }).state;
      const text = (file.contents as Buffer).toString('utf8');
      if (path === ANSWERS_FILE) answersFile = text;
      // Files are Prettier-clean as rendered; Markdown tables get their columns aligned here (markdown-tables.ts).
      else rendered.push({ path, contents: Buffer.from(path.endsWith('.md') ? alignMarkdownTables(text) : text, 'utf8') });
    }
    // .yo-rc.json records every other file's hash, so a re-run can tell generated files the user has not changed.
    if (answersFile === undefined) throw new Error(`${ANSWERS_FILE} was not rendered; the answers would be lost.`);
    const record = JSON.parse(answersFile) as Record<string, Record<string, unknown>>;
    record[CONFIG_KEY] = { ...record[CONFIG_KEY], files: manifestLines(manifestOf(rendered)) };
    rendered.push({ path: ANSWERS_FILE, contents: Buffer.from(jsonText(record), 'utf8') });
    const pending = rendered.sort((a, b) => (a.path < b.path ? -1 : 1));
    if (this.options.inMemory) {
      for (const file of pending) this.rendered.set(file.path, file.contents.toString('utf8'));
      return;
    }
    const force = this.options.force === true;
    let plan;
    try {
      plan = planWrites(root, pending, this.previousFiles);
    } catch (error) {
      throw asFileSystemError(error, 'read', this.displayPath());
    }
    this.report.files = fileGroups(plan);
    if (plan.conflicts.length > 0 && !force) throw conflictError(plan, this.displayPath());
    if (this.options.dryRun) {
      if (!this.options.json) process.stdout.write(describePlan(plan, this.displayPath(), force));
      return;
    }
    const result = commitPlan(root, plan, { force, display: (path) => this.display(path) });
    this.committed = result.written;
    this.removed = result.removed;
    setInterruptNote(this.unfinishedNote(this.stepsLeft(true)));
  }

  /** The commands the summary suggests after a real run: cd, npm install when it was skipped or failed, then the dev and test scripts. */
  private nextSteps(): string[] {
    const commands = [`cd ${this.displayPath()}`];
    const install = this.outcomes.find((outcome) => outcome.name === 'install');
    if (install === undefined || install.outcome !== 'ok') commands.push('npm install');
    const scripts = Object.keys((JSON.parse(readFileSync(this.destinationPath('package.json'), 'utf8')) as { scripts?: object }).scripts ?? {});
    for (const script of ['dev', 'test']) if (scripts.includes(script)) commands.push(`npm ${script === 'test' ? 'test' : `run ${script}`}`);
    return commands;
  }

  /** The human summary on stdout: what was written, each step after writing with its duration, and the next steps. */
  private printSummary(): void {
    const removed = this.removed.length > 0 ? `, ${this.removed.length} removed` : '';
    const lines = [
      '',
      `${style.green('✔')} Created ${style.bold(this.answers?.name ?? '')} in ${this.displayPath()} (${this.committed.length} files written${removed}).`,
    ];
    const note = packageManagerNote(process.env.npm_config_user_agent);
    if (note !== undefined) lines.push(`  ${note}`);
    if (this.removed.length > 0) lines.push('  Removed, as these answers no longer produce them and they were unchanged since generated:', ...this.removed.map((path) => `    ${path}`));
    for (const outcome of this.outcomes) if (outcome.skippedBy === undefined) lines.push(`  [${formatDuration(outcome.durationMs)}] ${outcome.summary}`);
    lines.push('', 'Next steps:', ...this.report.nextSteps.map((command) => `  ${command}`));
    lines.push('  Read README.md for what was generated and how to run it in production.', '');
    process.stdout.write(lines.join('\n'));
  }
}
