/**
 * What both CI renderers share about provider-neutral jobs (the ciJobs slot):
 * which jobs belong to which stage, the signer identity deploys verify, and
 * the YAML serialization of pipeline files.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import type { CiJob } from './slots.ts';

/** The jobs of one stage, in slot order. */
export function jobsOfStage(jobs: readonly CiJob[], stage: NonNullable<CiJob['stage']>): CiJob[] {
  return jobs.filter((job) => (job.stage ?? 'test') === stage);
}

/**
 * A YAML file with a comment header: no anchors, no line folding, and it must
 * read back as the same data under YAML 1.1 and 1.2 (GitHub and GitLab parse
 * YAML 1.1-style, where `on` and `no` are booleans unless quoted).
 */
export function pipelineYaml(header: string, document: Record<string, unknown>): string {
  const comments = header
    .trim()
    .split('\n')
    .map((line) => (line === '' ? '#' : `# ${line}`))
    .join('\n');
  const body = stringify(document, { version: '1.1', aliasDuplicateObjects: false, lineWidth: 0 });
  for (const version of ['1.1', '1.2'] as const) {
    if (!isDeepStrictEqual(parse(body, { version }), document)) throw new Error(`Pipeline document does not read back as written under YAML ${version}`);
  }
  return `${comments}\n${body}`;
}

/** Shell lines that fail unless each pattern input matches its pattern (inputs arrive as environment variables). */
export function inputValidation(job: CiJob): string | undefined {
  const lines: string[] = [];
  for (const input of job.inputs ?? []) {
    const pattern = input.pattern ?? (input.options ? `^(${input.options.join('|')})$` : undefined);
    if (!pattern) continue;
    lines.push(`if ! printf '%s\\n' "$${input.name}" | grep -Eq '${pattern}'; then echo "${input.name} must match ${pattern}" >&2; exit 1; fi`);
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}
