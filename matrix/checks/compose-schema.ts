/**
 * Every compose*.yaml against the official Compose Specification JSON schema
 * (compose-spec/compose-spec schema/compose-spec.json, as vendored by
 * check-jsonschema) and, where the docker compose CLI is installed, through
 * `docker compose config`, which also resolves interpolation, profiles and
 * references between services, networks and volumes.
 *
 *   node matrix/checks/compose-schema.ts <project-dir>
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { runChecked, runTool } from '../support/process.ts';


interface SchemaReport {
  status: 'ok' | 'fail';
  errors: { filename: string; path: string; message: string }[];
  parse_errors?: { filename: string; message: string }[];
}

/** The vendored schema file, found through the Python environment check-jsonschema runs in. */
async function vendoredSchema(context: CheckContext): Promise<string> {
  const script = readFileSync(await runChecked('sh', ['-c', 'command -v "$1"', 'sh', toolPath(context, 'check-jsonschema')]), 'utf8');
  const python = /^#!(\S+)/.exec(script)?.[1];
  if (!python) throw new Error('check-jsonschema is not a Python entry point script');
  return runChecked(python, ['-c', 'import importlib.resources as r; print(r.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json"))']);
}

/**
 * Values for every variable a production compose file requires, so
 * `docker compose config` can interpolate it: example values, never secrets.
 */
function exampleEnvironment(text: string): string {
  const names = new Set([...text.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((match) => match[1] as string));
  return [...names].map((name) => `${name}=${name === 'TAG' ? '1.0.0' : name === 'DOMAIN' ? 'api.example.com' : name === 'ACME_EMAIL' ? 'ops@example.com' : `example-${name.toLowerCase()}`}`).join('\n');
}

/** Profiles a compose file declares: each is validated switched on as well as off. */
function profilesOf(text: string): string[] {
  const profiles = new Set<string>();
  for (const match of text.matchAll(/^\s*profiles:\s*\n((?:\s*- .+\n)+)/gm)) {
    for (const item of (match[1] as string).matchAll(/- ["']?([A-Za-z0-9_.-]+)/g)) profiles.add(item[1] as string);
  }
  return [...profiles].sort();
}

export const composeSchemaCheck: Check = {
  name: 'compose-schema',
  inputs: ['compose*.yaml', 'compose*.yml'],
  async tool(context: CheckContext): Promise<string> {
    const stdout = await runChecked(toolPath(context, 'check-jsonschema'), ['--version']);
    const version = /(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
    const schema = createHash('sha256').update(readFileSync(await vendoredSchema(context))).digest('hex').slice(0, 12);
    const compose = toolPath(context, 'docker-compose');
    const composeVersion = existsSync(compose) ? await runChecked(compose, ['version', '--short']) : 'not installed';
    return `check-jsonschema ${version} (compose-spec.json sha256 ${schema}), docker compose ${composeVersion}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const files = readdirSync(directory).filter((file) => /^compose.*\.ya?ml$/.test(file)).sort();
    if (files.length === 0) return [{ message: 'no compose*.yaml file to validate' }];
    const findings: Finding[] = [];
    const report = await runTool(toolPath(context, 'check-jsonschema'), ['--builtin-schema', 'vendor.compose-spec', '--output-format', 'json', ...files], { cwd: directory });
    if (report.code !== 0 && !report.stdout.trim().startsWith('{')) throw new Error(`check-jsonschema failed to run (exit ${report.code}): ${report.stderr}`);
    const parsed = JSON.parse(report.stdout) as SchemaReport;
    for (const error of parsed.parse_errors ?? []) findings.push({ file: error.filename, message: `not parseable: ${error.message}` });
    for (const error of parsed.errors) findings.push({ file: error.filename, message: `${error.path}: ${error.message}` });
    context.log(`schema: ${files.join(', ')} ${parsed.status}`);

    const compose = toolPath(context, 'docker-compose');
    if (!existsSync(compose)) {
      context.log('docker compose is not installed: only the schema was checked');
      return findings;
    }
    for (const file of files) {
      const text = readFileSync(join(directory, file), 'utf8');
      // The env files compose.production.yaml names must exist; they hold the example values.
      const envFile = join(directory, `.${file}.env`);
      writeFileSync(envFile, `${exampleEnvironment(text)}\n`);
      const created: string[] = [envFile];
      for (const match of text.matchAll(/^\s*- path: (\S+)\s*\n\s*required: true/gm)) {
        const path = join(directory, match[1] as string);
        if (!existsSync(path)) {
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, '');
          created.push(path);
        }
      }
      try {
        for (const profile of [undefined, ...profilesOf(text)]) {
          const args = ['--project-directory', directory, '--env-file', envFile, '-f', join(directory, file), ...(profile ? ['--profile', profile] : []), 'config', '--quiet'];
          const result = await runTool(compose, args, { cwd: directory, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: directory } });
          if (result.code !== 0) findings.push({ file, message: `docker compose config${profile ? ` --profile ${profile}` : ''} rejects it: ${result.stderr.trim() || `exit ${result.code}`}` });
          context.log(`docker compose config ${file}${profile ? ` --profile ${profile}` : ''}: done`);
        }
      } finally {
        for (const path of created) rmSync(path, { force: true });
      }
    }
    return findings;
  },
};

export default composeSchemaCheck;

if (import.meta.main) await runStandalone(composeSchemaCheck);
