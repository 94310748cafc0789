/** Parses the command line into raw answers and run controls, strictly. */
import { UsageError } from './answers.ts';
import { options, type OptionDeclaration } from './options.ts';
import { didYouMean } from './suggest.ts';

export interface RunControls {
  yes: boolean;
  answersFile?: string;
  dryRun: boolean;
  force: boolean;
  skipInstall: boolean;
  skipGit: boolean;
  help: boolean;
  version: boolean;
  noUpdateNotifier: boolean;
  json: boolean;
}

export interface ControlDeclaration {
  name: keyof RunControls;
  flag: string;
  alias?: string;
  takesValue?: string;
  help: string;
}

/** Run controls steer one run and are never saved as answers. */
export const controls: readonly ControlDeclaration[] = [
  { name: 'yes', flag: 'yes', alias: 'y', help: 'Use defaults for everything not given; never prompt.' },
  { name: 'answersFile', flag: 'answers-file', takesValue: 'path', help: 'Read answers from a JSON or YAML file; flags override it.' },
  { name: 'dryRun', flag: 'dry-run', help: 'Print the files that would be new, changed, removed or in conflict; write nothing; exit as the real run would.' },
  { name: 'force', flag: 'force', help: 'Write into a non-empty directory; overwrite or remove conflicting files (edited or not generated).' },
  { name: 'skipInstall', flag: 'skip-install', help: 'Do not run npm install.' },
  { name: 'skipGit', flag: 'skip-git', help: 'Do not create a git repository and initial commit.' },
  {
    name: 'json',
    flag: 'json',
    help: 'Print one JSON document describing the run or its error on stdout, nothing else there; never prompt (implies --yes). Not with --help, --version or completion. See docs/json-output.md.',
  },
  { name: 'noUpdateNotifier', flag: 'no-update-notifier', help: 'Do not look for a newer version after an interactive run (also NO_UPDATE_NOTIFIER=1).' },
  { name: 'help', flag: 'help', alias: 'h', help: 'Show this help.' },
  { name: 'version', flag: 'version', alias: 'v', help: 'Print the version.' },
];

export interface ParsedArgv {
  directory?: string;
  answers: Record<string, unknown>;
  controls: RunControls;
}

function allFlagNames(): string[] {
  return [
    ...options.flatMap((option) => (option.type === 'boolean' ? [`--${option.flag}`, `--no-${option.flag}`] : [`--${option.flag}`])),
    ...controls.map((control) => `--${control.flag}`),
  ];
}

/**
 * Whether `argv` asks for --json, judged before parsing so that a command
 * line that does not parse is still reported as JSON: the flag anywhere
 * before a "--" that ends the options.
 */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  // "--json=…" too: the parser refuses a value, and that refusal is answered in JSON.
  return (end === -1 ? argv : argv.slice(0, end)).some((argument) => argument === '--json' || argument.startsWith('--json='));
}

/** The commands the CLI takes as its first argument instead of a directory (completion.ts describes each). */
export const COMMANDS = ['completion', 'upgrade', 'add', 'remove'] as const;

export function parseArgv(argv: readonly string[]): ParsedArgv {
  const answers: Record<string, unknown> = {};
  const parsedControls: RunControls = { yes: false, dryRun: false, force: false, skipInstall: false, skipGit: false, help: false, version: false, noUpdateNotifier: false, json: false };
  const positionals: string[] = [];
  const problems: string[] = [];
  const seenControls = new Set<string>();

  const takeValue = (index: number, inline: string | undefined, flag: string, hint: string): [string | undefined, number] => {
    if (inline !== undefined) return [inline, index];
    const next = argv[index + 1];
    if (next === undefined || next.startsWith('--')) {
      problems.push(`--${flag} needs a value${hint}.`);
      return [undefined, index];
    }
    return [next, index + 1];
  };

  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!argument.startsWith('-') || argument === '-') {
      positionals.push(argument);
      continue;
    }
    const short = /^-([a-zA-Z])$/.exec(argument);
    const match = short ? undefined : /^--([^=]+)(?:=(.*))?$/s.exec(argument);
    const flag = short ? controls.find((control) => control.alias === short[1])?.flag : match?.[1];
    const inline = match?.[2];
    const control = controls.find((candidate) => candidate.flag === flag);
    if (control) {
      // Repeated like a repeated option: which one counts would be a guess (two answers files are not merged).
      if (seenControls.has(control.flag)) problems.push(`--${control.flag} is given more than once.`);
      seenControls.add(control.flag);
      if (control.takesValue) {
        const [value, next] = takeValue(index, inline, control.flag, ` (${control.takesValue})`);
        index = next;
        if (value !== undefined) (parsedControls as unknown as Record<string, unknown>)[control.name] = value;
      } else if (inline !== undefined) {
        problems.push(`--${control.flag} takes no value.`);
      } else {
        (parsedControls as unknown as Record<string, unknown>)[control.name] = true;
      }
      continue;
    }
    const negated = flag?.startsWith('no-') ? options.find((option) => option.type === 'boolean' && `no-${option.flag}` === flag) : undefined;
    const declaration: OptionDeclaration | undefined = negated ?? options.find((option) => option.flag === flag);
    if (!declaration || flag === undefined) {
      problems.push(`Unknown option ${argument.split('=')[0]}.${didYouMean(argument.split('=')[0] as string, allFlagNames())} Run with --help to see every option.`);
      // "--databse postgres": the word after an unknown flag is most likely its value, not the directory.
      if (inline === undefined && !short && argv[index + 1] !== undefined && !(argv[index + 1] as string).startsWith('-')) index++;
      continue;
    }
    if (declaration.name in answers) problems.push(`--${declaration.flag} is given more than once.`);
    if (declaration.type === 'boolean') {
      if (negated) {
        if (inline !== undefined) problems.push(`--no-${declaration.flag} takes no value.`);
        answers[declaration.name] = false;
      } else {
        answers[declaration.name] = inline ?? true;
      }
      continue;
    }
    const choices = declaration.choices?.map((choice) => choice.value).join(', ');
    const [value, next] = takeValue(index, inline, declaration.flag, choices ? `: ${choices}${declaration.allowCustom ? ' or a host' : ''}` : '');
    index = next;
    if (value !== undefined) answers[declaration.name] = value;
  }

  // A command after an option ("--dry-run upgrade") would otherwise generate a project in ./upgrade.
  const command = COMMANDS.find((name) => name === positionals[0]);
  if (command !== undefined) {
    problems.push(`"${command}" is a command, so it comes first: create-prodready-app ${command} ${command === 'completion' ? '<shell>' : '[options]'}. For a project in a directory named ${command}, write ./${command}.`);
  } else if (positionals.length > 1) problems.push(`Expected one directory, got ${positionals.length}: ${positionals.join(' ')}.`);
  if (problems.length > 0) throw new UsageError(problems);
  return { directory: positionals[0], answers, controls: parsedControls };
}
