/**
 * The app generator: resolves the answers, composes the features that apply,
 * writes the assembled files, commits safely, installs and initialises git.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { answersRecord, coerce, coerceAll, completeAnswers, explicitSavedAnswers, UsageError } from '../core/answers.ts';
import { readAnswersFile } from '../core/answers-file.ts';
import { commitFiles, fileTree, relativeInside, type PendingFile } from '../core/commit.ts';
import { deriveFacts, type Facts } from '../core/facts.ts';
import { featureFacts } from '../core/feature-generator.ts';
import { formatContent } from '../core/format.ts';
import { applies, defaultValue, optionByName, options, type AnswerName, type AnswerValue, type Answers, type PartialAnswers } from '../core/options.ts';
import { plannedText } from '../core/help.ts';
import { style, withoutTaskErrorLine } from '../core/output.ts';
import { NOTHING_WRITTEN, setInterruptNote } from '../core/interrupt.ts';
import { packageManagerNote } from '../core/package-manager.ts';
import { generatorVersion } from '../core/paths.ts';
import { contentEntries } from '../core/target.ts';
import { features, type RegisteredFeature } from './features.ts';
import { initGitRepository, installDependencies } from './post-write.ts';

export type AppOptions = BaseOptions & {
  /** Ask for options not given; the CLI sets this when stdin is a TTY and --yes is absent. */
  interactive?: boolean;
  answersFile?: string;
  dryRun?: boolean;
  force?: boolean;
  skipInstall?: boolean;
  skipGit?: boolean;
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

/** The key of this generator's answers in .yo-rc.json. */
export const CONFIG_KEY = 'create-prodready-app';

export default class AppGenerator extends Generator<Record<string, unknown>, AppOptions> {
  private given: PartialAnswers = {};
  /** Answers a generated project's .yo-rc.json records as defaults: they follow the other answers and are not asked again. */
  private savedDefaults: ReadonlySet<string> = new Set();
  private answers?: Answers;
  private facts?: Facts;
  private committed: string[] = [];
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
    const problems: string[] = [];
    const saved = this.options.targetFromName ? {} : this.savedAnswers();
    const explicitSaved = explicitSavedAnswers(saved);
    problems.push(...explicitSaved.problems);
    const fromSaved = coerceAll(explicitSaved.raw, '.yo-rc.json');
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
    if (!this.options.targetFromName) problems.push(...this.targetProblems(Object.keys(saved).length > 0));
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
      const targetProblems = this.targetProblems(existsSync(this.destinationPath('.yo-rc.json')));
      if (targetProblems.length > 0) throw new UsageError(targetProblems);
    }
    this.answers = answers;
    const facts = deriveFacts(answers);
    this.facts = facts;
    this.config.set({ version: generatorVersion, ...answersRecord(answers, this.given) });
    for (const feature of this.options.features ?? features) {
      if (!feature.definition.applies(featureFacts(feature.definition, facts, this.options.onOptionRead))) continue;
      await this.composeWith({ Generator: feature.Generator, path: feature.path }, { facts, onOptionRead: this.options.onOptionRead } as never);
    }
  }

  async install(): Promise<void> {
    if (this.options.inMemory || this.options.dryRun || this.options.skipInstall) return;
    setInterruptNote(this.unfinishedNote(this.stepsLeft(true)));
    await installDependencies(this.destinationRoot(), this.displayPath());
  }

  async end(): Promise<void> {
    if (this.options.inMemory || this.options.dryRun) return;
    if (!this.options.skipGit) setInterruptNote(this.unfinishedNote(this.stepsLeft(false)));
    const gitOutcome = this.options.skipGit ? 'skipped' : await initGitRepository(this.destinationRoot(), this.initialCommitMessage());
    this.printSummary(gitOutcome);
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

  private savedAnswers(): Record<string, unknown> {
    const saved = { ...this.config.getAll() } as Record<string, unknown>;
    delete saved.version;
    return saved;
  }

  private displayPath(): string {
    const path = relative(process.cwd(), this.destinationRoot());
    return path === '' ? '.' : path.startsWith('..') ? this.destinationRoot() : `./${path}`;
  }

  /** A non-empty target is refused unless --force or it is a project this generator made. */
  private targetProblems(isGeneratedProject: boolean): string[] {
    const root = this.destinationRoot();
    if (!existsSync(root)) return [];
    if (!statSync(root).isDirectory()) return [`${this.displayPath()} exists and is not a directory.`];
    const entries = contentEntries(root).filter((entry) => entry !== '.yo-rc.json' || !isGeneratedProject);
    if (entries.length === 0 || this.options.force || isGeneratedProject) return [];
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, ... (${entries.length} entries)` : '');
    return [`Directory ${this.displayPath()} is not empty (${shown}). Choose a new or empty directory, or pass --force to write into it (files that differ are overwritten).`];
  }

  private async commit(): Promise<void> {
    const root = this.destinationRoot();
    const pending: PendingFile[] = [];
    for (const file of this.env.sharedFs.all()) {
      const state = (file as { state?: string }).state;
      if (state !== 'modified' && state !== 'deleted') continue;
      if (state === 'deleted') throw new Error(`Generator tried to delete ${file.path}; the generator never deletes files.`);
      const path = relativeInside(root, file.path);
      const contents = await formatContent(path, (file.contents as Buffer).toString('utf8'));
      pending.push({ path, contents: Buffer.from(contents, 'utf8') });
      delete (file as { state?: string }).state;
    }
    pending.sort((a, b) => (a.path < b.path ? -1 : 1));
    if (this.options.inMemory) {
      for (const file of pending) this.rendered.set(file.path, file.contents.toString('utf8'));
      return;
    }
    if (this.options.dryRun) {
      this.committed = pending.map((file) => file.path);
      process.stdout.write(`Dry run: ${pending.length} files would be written to ${this.displayPath()}:\n${fileTree(this.committed)}\nNothing was written.\n`);
      return;
    }
    this.committed = commitFiles(root, pending, { force: this.options.force === true }).written;
    setInterruptNote(this.unfinishedNote(this.stepsLeft(true)));
  }

  private printSummary(gitOutcome: string): void {
    const lines = [
      '',
      `${style.green('✔')} Created ${style.bold(this.answers?.name ?? '')} in ${this.displayPath()} (${this.committed.length} files written).`,
    ];
    const note = packageManagerNote(process.env.npm_config_user_agent);
    if (note !== undefined) lines.push(`  ${note}`);
    if (gitOutcome === 'created') lines.push('  Initialised a git repository with an initial commit.');
    if (gitOutcome === 'inside-work-tree') lines.push('  Skipped git init: the directory is already inside a git work tree.');
    if (gitOutcome === 'git-missing') lines.push('  Skipped git init: git is not installed.');
    if (gitOutcome === 'failed') lines.push('  git init or the initial commit failed; run git init yourself.');
    lines.push('', 'Next steps:', `  cd ${this.displayPath()}`);
    if (this.options.skipInstall) lines.push('  npm install');
    const scripts = Object.keys((JSON.parse(readFileSync(this.destinationPath('package.json'), 'utf8')) as { scripts?: object }).scripts ?? {});
    for (const script of ['dev', 'test']) if (scripts.includes(script)) lines.push(`  npm ${script === 'test' ? 'test' : `run ${script}`}`);
    lines.push('  Read README.md for what was generated and how to run it in production.', '');
    process.stdout.write(lines.join('\n'));
  }
}
