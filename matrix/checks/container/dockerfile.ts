/**
 * A Dockerfile parser for the replay check: instructions with their flags,
 * exec or shell form, stages and the variable substitution rules of the
 * Dockerfile reference. Anything it does not understand is an error, never
 * silently skipped.
 */

export interface Instruction {
  /** Upper-case keyword, e.g. RUN. */
  keyword: string;
  /** Leading --name=value flags (a name may repeat, e.g. several --mount). */
  flags: Map<string, string[]>;
  /** The arguments after the flags, continuation lines joined. */
  args: string;
  /** The JSON array of the exec form, when the arguments are one. */
  exec?: string[];
  /** 1-based line of the instruction in the Dockerfile. */
  line: number;
}

export interface Stage {
  index: number;
  /** The name after AS, lower-cased as BuildKit does. */
  name?: string;
  /** The FROM reference after global ARG substitution. */
  from: string;
  instructions: Instruction[];
  line: number;
}

export interface Dockerfile {
  /** ARG instructions before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
}

export class DockerfileError extends Error {
  readonly line?: number;
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'DockerfileError';
    this.line = line;
  }
}

/** Instructions that take their flags as leading --name=value words. */
const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
const KNOWN = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT',
  'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);

/** Splits the text into logical instructions, honouring parser directives, comments and line continuations. */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let escape = '\\';
  let index = 0;
  // Parser directives: only at the very top, before any comment that is not one, blank line or instruction.
  for (; index < lines.length; index++) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[index] as string);
    if (!directive) break;
    if ((directive[1] as string).toLowerCase() === 'escape') {
      if (directive[2] !== '\\' && directive[2] !== '`') throw new DockerfileError(`invalid escape directive ${directive[2]}`, index + 1);
      escape = directive[2] as string;
    }
  }
  const logical: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  for (; index < lines.length; index++) {
    const raw = lines[index] as string;
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) continue;
    if (current === undefined && trimmed === '') continue;
    const continued = raw.trimEnd().endsWith(escape) && !raw.trimEnd().endsWith(`${escape}${escape}`);
    const part = continued ? raw.trimEnd().slice(0, -1) : raw;
    if (current === undefined) current = { text: part.trimStart(), line: index + 1 };
    else current.text += part;
    if (!continued) {
      logical.push(current);
      current = undefined;
    }
  }
  if (current !== undefined) throw new DockerfileError('the last instruction ends with a line continuation', current.line);

  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const { text: instructionText, line } of logical) {
    const instruction = parseInstruction(instructionText, line);
    if (instruction.keyword === 'FROM') {
      const words = splitWords(instruction.args, line);
      if (!(words.length === 1 || (words.length === 3 && (words[1] as string).toLowerCase() === 'as'))) {
        throw new DockerfileError(`FROM takes an image and an optional "AS name", got: ${instruction.args}`, line);
      }
      const from = substitute(words[0] as string, argDefaults(globalArgs), line);
      stages.push({ index: stages.length, name: words[2]?.toLowerCase(), from, instructions: [], line });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (instruction.keyword !== 'ARG') throw new DockerfileError(`${instruction.keyword} before the first FROM`, line);
      globalArgs.push(instruction);
      continue;
    }
    stage.instructions.push(instruction);
  }
  if (stages.length === 0) throw new DockerfileError('no FROM instruction');
  const names = new Set<string>();
  for (const stage of stages) {
    if (stage.name === undefined) continue;
    if (names.has(stage.name)) throw new DockerfileError(`stage name ${stage.name} is used twice`, stage.line);
    names.add(stage.name);
  }
  return { globalArgs, stages };
}

function parseInstruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text);
  if (!match) throw new DockerfileError(`cannot read instruction: ${text}`, line);
  const keyword = (match[1] as string).toUpperCase();
  if (!KNOWN.has(keyword)) throw new DockerfileError(`unknown instruction ${match[1]}`, line);
  let rest = (match[2] as string).trim();
  if (/<<-?["']?[A-Za-z_]/.test(rest) && (keyword === 'RUN' || keyword === 'COPY')) {
    throw new DockerfileError(`${keyword} with a here-document is not supported by the replay`, line);
  }
  const flags = new Map<string, string[]>();
  if (FLAGGED.has(keyword)) {
    for (;;) {
      const flag = /^--([a-z][a-z-]*)(?:=((?:"[^"]*"|[^\s])*))?(?:\s+|$)/.exec(rest);
      if (!flag) break;
      const values = flags.get(flag[1] as string) ?? [];
      values.push(flag[2] ?? 'true');
      flags.set(flag[1] as string, values);
      rest = rest.slice(flag[0].length);
    }
  }
  const instruction: Instruction = { keyword, flags, args: rest, line };
  if (rest.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) instruction.exec = parsed;
    } catch {
      // Not JSON: the shell form, as Docker treats it.
    }
  }
  return instruction;
}

/** Splits words like a POSIX shell does for COPY/ENV/LABEL arguments: quotes group, backslash escapes. */
export function splitWords(text: string, line?: number): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let position = 0; position < text.length; position++) {
    const character = text[position] as string;
    if (quote === "'") {
      if (character === "'") quote = undefined;
      else word += character;
      continue;
    }
    if (character === '\\' && position + 1 < text.length) {
      const next = text[position + 1] as string;
      // Inside double quotes a backslash escapes only these; elsewhere it escapes anything.
      if (quote !== '"' || '"\\$`'.includes(next)) {
        word += `\\${next}`;
        position++;
        inWord = true;
        continue;
      }
    }
    if (quote === '"') {
      if (character === '"') quote = undefined;
      else word += character;
      continue;
    }
    if (character === '"' || character === "'") {
      quote = character;
      inWord = true;
      continue;
    }
    if (/\s/.test(character)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += character;
    inWord = true;
  }
  if (quote) throw new DockerfileError(`unterminated ${quote} quote in: ${text}`, line);
  if (inWord) words.push(word);
  return words;
}

/** Defaults of ARG instructions, for FROM lines (global ARGs) or a stage. */
export function argDefaults(args: readonly Instruction[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const arg of args) {
    for (const word of splitWords(arg.args, arg.line)) {
      const [name, ...value] = unescape(word).split('=');
      if (value.length > 0) values.set(name as string, value.join('='));
    }
  }
  return values;
}

/** Removes the backslashes splitWords kept so substitution can tell an escaped `$`. */
export function unescape(word: string): string {
  return word.replace(/\\(.)/g, '$1');
}

/**
 * Environment replacement as the Dockerfile reference defines it: $VAR,
 * ${VAR}, ${VAR:-word}, ${VAR:+word}; `\$` is a literal dollar. Unset
 * variables become empty strings.
 */
export function substitute(word: string, variables: ReadonlyMap<string, string>, line?: number): string {
  let result = '';
  for (let position = 0; position < word.length; position++) {
    const character = word[position] as string;
    if (character === '\\' && position + 1 < word.length) {
      result += word[position + 1];
      position++;
      continue;
    }
    if (character !== '$') {
      result += character;
      continue;
    }
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-+])([^}]*))?\}/.exec(word.slice(position));
    if (braced) {
      const value = variables.get(braced[1] as string);
      const operator = braced[2];
      const alternative = substitute(braced[3] ?? '', variables, line);
      if (operator === ':-') result += value === undefined || value === '' ? alternative : value;
      else if (operator === ':+') result += value === undefined || value === '' ? '' : alternative;
      else result += value ?? '';
      position += braced[0].length - 1;
      continue;
    }
    if (word[position + 1] === '{') throw new DockerfileError(`unsupported substitution in: ${word}`, line);
    const plain = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(word.slice(position));
    if (plain) {
      result += variables.get(plain[1] as string) ?? '';
      position += plain[0].length - 1;
      continue;
    }
    result += character;
  }
  return result;
}

/** KEY=value pairs of ENV and LABEL (and the legacy `ENV KEY value` form). */
export function keyValues(instruction: Instruction, variables: ReadonlyMap<string, string>): [string, string][] {
  const words = splitWords(instruction.args, instruction.line);
  if (words.length === 0) throw new DockerfileError(`${instruction.keyword} needs arguments`, instruction.line);
  if (!(words[0] as string).includes('=')) {
    if (instruction.keyword !== 'ENV') throw new DockerfileError(`${instruction.keyword} needs key=value pairs`, instruction.line);
    const match = /^(\S+)\s+([\s\S]*)$/.exec(instruction.args);
    if (!match) throw new DockerfileError('ENV needs a value', instruction.line);
    return [[match[1] as string, substitute(match[2] as string, variables, instruction.line)]];
  }
  return words.map((word) => {
    const equals = word.indexOf('=');
    if (equals <= 0) throw new DockerfileError(`expected key=value, got ${word}`, instruction.line);
    return [unescape(word.slice(0, equals)), substitute(word.slice(equals + 1), variables, instruction.line)];
  });
}

/** The comma-separated key=value options of a --mount flag. */
export function mountOptions(value: string, line?: number): Map<string, string> {
  const options = new Map<string, string>();
  for (const part of value.replace(/^"|"$/g, '').split(',')) {
    const [key, ...rest] = part.split('=');
    if (!key) throw new DockerfileError(`empty option in --mount=${value}`, line);
    options.set(key, rest.length === 0 ? 'true' : rest.join('='));
  }
  return options;
}

/** Parses a Docker duration such as 30s, 1m30s or 500ms into milliseconds. */
export function durationMs(text: string, line?: number): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/.exec(rest);
    if (!match) throw new DockerfileError(`invalid duration ${text}`, line);
    total += Number(match[1]) * (units[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  if (text === '') throw new DockerfileError('empty duration', line);
  return total;
}

export interface Healthcheck {
  command: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  retries: number;
}

/** HEALTHCHECK options with Docker's defaults; undefined for HEALTHCHECK NONE. */
export function healthcheck(instruction: Instruction, shell: readonly string[]): Healthcheck | undefined {
  const flag = (name: string) => instruction.flags.get(name)?.at(-1);
  if (/^NONE$/i.test(instruction.args)) return undefined;
  const match = /^CMD\s+([\s\S]+)$/i.exec(instruction.args);
  if (!match) throw new DockerfileError('HEALTHCHECK needs CMD or NONE', instruction.line);
  const commandText = (match[1] as string).trim();
  let command: string[];
  try {
    const parsed: unknown = JSON.parse(commandText);
    command = Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : [...shell, commandText];
  } catch {
    command = [...shell, commandText];
  }
  const retries = Number(flag('retries') ?? '3');
  if (!Number.isInteger(retries) || retries < 1) throw new DockerfileError(`invalid --retries ${flag('retries')}`, instruction.line);
  return {
    command,
    intervalMs: durationMs(flag('interval') ?? '30s', instruction.line),
    timeoutMs: durationMs(flag('timeout') ?? '30s', instruction.line),
    startPeriodMs: durationMs(flag('start-period') ?? '0s', instruction.line),
    retries,
  };
}

/** The stages the target needs, dependencies first (FROM <stage> and COPY --from=<stage>). */
export function stagesFor(dockerfile: Dockerfile, target: Stage): Stage[] {
  const ordered: Stage[] = [];
  const visiting = new Set<number>();
  const visit = (stage: Stage) => {
    if (ordered.includes(stage)) return;
    if (visiting.has(stage.index)) throw new DockerfileError(`stage ${stage.name ?? stage.index} depends on itself`, stage.line);
    visiting.add(stage.index);
    const parent = findStage(dockerfile, stage.from, stage.index);
    if (parent) visit(parent);
    for (const instruction of stage.instructions) {
      const from = instruction.flags.get('from')?.at(-1);
      if (instruction.keyword !== 'COPY' || from === undefined) continue;
      const source = findStage(dockerfile, from, stage.index);
      if (!source) throw new DockerfileError(`COPY --from=${from} names no earlier stage (copying from other images is not replayed)`, instruction.line);
      visit(source);
    }
    visiting.delete(stage.index);
    ordered.push(stage);
  };
  visit(target);
  return ordered;
}

/** A stage referenced by name or index that comes before `before`. */
export function findStage(dockerfile: Dockerfile, reference: string, before: number): Stage | undefined {
  const byName = dockerfile.stages.find((stage) => stage.name === reference.toLowerCase() && stage.index < before);
  if (byName) return byName;
  if (/^\d+$/.test(reference)) {
    const stage = dockerfile.stages[Number(reference)];
    if (stage && stage.index < before) return stage;
  }
  return undefined;
}
