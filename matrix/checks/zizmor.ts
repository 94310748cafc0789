/**
 * zizmor's security audits of the generated GitHub Actions files, offline,
 * with the default persona: any finding fails (template injection, unpinned
 * uses, excessive permissions, credential persistence, cache poisoning,
 * dangerous triggers, ...).
 *
 * One audit is switched off, for the reason in IGNORED: nothing else is
 * ignored, and the generated files carry no zizmor ignore comments.
 *
 *   node matrix/checks/zizmor.ts <project-dir>
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { runChecked, runTool } from '../support/process.ts';

/** Audits switched off, each with the reason. */
export const IGNORED: Readonly<Record<string, string>> = {
  'self-repository':
    'zizmor suggests `uses: $/.github/workflows/deploy.yml` for the reusable deploy workflow, which actionlint 1.7.12 rejects as not "./path/to/workflow.yml"; the local `./` call is the documented form and runs the same commit.',
};

interface ZizmorFinding {
  ident: string;
  desc: string;
  determinations: { severity: string; confidence: string };
  locations: { symbolic: { key: { Local?: { verbatim_path: string } } }; concrete: { location: { start_point: { row: number } } }; kind?: string }[];
}

export const zizmorCheck: Check = {
  name: 'zizmor',
  inputs: ['.github/**/*.yml', '.github/**/*.yaml'],
  appliesTo: ['.github/workflows/*.yml'],
  async tool(context: CheckContext): Promise<string> {
    const version = /(\d+\.\d+\.\d+)/.exec(await runChecked(toolPath(context, 'zizmor'), ['--version']))?.[1];
    if (!version) throw new Error('zizmor --version printed no version');
    return `zizmor ${version}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const configDirectory = mkdtempSync(join(tmpdir(), 'zizmor-config-'));
    try {
      const config = join(configDirectory, 'zizmor.yml');
      writeFileSync(config, `rules:\n${Object.keys(IGNORED).map((ident) => `  ${ident}:\n    disable: true\n`).join('')}`);
      const result = await runTool(toolPath(context, 'zizmor'), ['--offline', '--no-progress', '--format', 'json', '--config', config, '.github'], {
        cwd: directory,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: configDirectory, XDG_CONFIG_HOME: configDirectory },
      });
      // 0: no findings; 10-14: findings of the highest severity found; anything else: zizmor failed.
      if (result.code !== 0 && (result.code < 10 || result.code > 14)) throw new Error(`zizmor failed to run (exit ${result.code}): ${result.stderr}`);
      const findings = JSON.parse(result.stdout) as ZizmorFinding[];
      return findings.map((finding) => {
        const primary = finding.locations.find((location) => location.kind === 'Primary') ?? finding.locations[0];
        const file = primary?.symbolic.key.Local?.verbatim_path;
        const line = primary ? primary.concrete.location.start_point.row + 1 : 0;
        return { ...(file ? { file } : {}), message: `line ${line}: ${finding.ident} (${finding.determinations.severity}, ${finding.determinations.confidence} confidence): ${finding.desc}` };
      });
    } finally {
      rmSync(configDirectory, { recursive: true, force: true });
    }
  },
};

export default zizmorCheck;

if (import.meta.main) await runStandalone(zizmorCheck);
