/**
 * The Caddyfile of compose.production.yaml through `caddy adapt --validate`
 * with the Caddy version the compose file pins: it must adapt, its modules
 * must provision, and Caddy must have no warning about it (formatting
 * included).
 *
 *   node matrix/checks/caddyfile.ts <project-dir>
 */
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { runChecked, runTool } from '../support/process.ts';

/** The variables compose.production.yaml passes to Caddy, with example values. */
const EXAMPLE_ENV = { DOMAIN: 'api.example.com', ACME_EMAIL: 'ops@example.com' };

interface LogLine {
  level?: string;
  msg?: string;
  line?: number;
}

export const caddyfileCheck: Check = {
  name: 'caddyfile',
  inputs: ['Caddyfile'],
  async tool(context: CheckContext): Promise<string> {
    const stdout = await runChecked(toolPath(context, 'caddy'), ['version']);
    return `caddy ${stdout.split(/\s+/)[0]}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const result = await runTool(toolPath(context, 'caddy'), ['adapt', '--config', 'Caddyfile', '--adapter', 'caddyfile', '--validate'], {
      cwd: directory,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: directory, XDG_DATA_HOME: directory, XDG_CONFIG_HOME: directory, ...EXAMPLE_ENV },
    });
    if (result.code !== 0) return [{ file: 'Caddyfile', message: `caddy adapt --validate failed (exit ${result.code}: ${result.stderr.trim().split('\n').slice(-5).join('\n')})` }];
    const findings: Finding[] = [];
    for (const line of result.stderr.split('\n').filter((text) => text.startsWith('{'))) {
      const entry = JSON.parse(line) as LogLine;
      if (entry.level === 'warn' || entry.level === 'error') findings.push({ file: 'Caddyfile', message: `${entry.line === undefined ? '' : `line ${entry.line}: `}${entry.msg ?? line}` });
      else context.log(entry.msg ?? line);
    }
    return findings;
  },
};

export default caddyfileCheck;

if (import.meta.main) await runStandalone(caddyfileCheck);
