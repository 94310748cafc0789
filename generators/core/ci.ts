/**
 * What both CI renderers share about provider-neutral jobs (the ciJobs slot):
 * which jobs belong to which stage, the signer identity deploys verify, and
 * the YAML serialization of pipeline files.
 */
import type { CiJob } from './slots.ts';
import { yamlFile } from './yaml-text.ts';

/** The jobs of one stage, in slot order. */
export function jobsOfStage(jobs: readonly CiJob[], stage: NonNullable<CiJob['stage']>): CiJob[] {
  return jobs.filter((job) => (job.stage ?? 'test') === stage);
}

/**
 * A pipeline file with a comment header: no anchors, no line folding, and
 * strings YAML 1.1 readers take for other types quoted (GitHub and GitLab parse
 * YAML 1.1-style, where `on` and `no` are booleans unless quoted), so it reads
 * back as the same data under YAML 1.1 and 1.2 (test/yaml-text.test.ts reads
 * every rendered pipeline file both ways).
 */
export function pipelineYaml(header: string, document: Record<string, unknown>): string {
  return yamlFile(header, [document], { yaml11: true });
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
