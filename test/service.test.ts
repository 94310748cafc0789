/**
 * The service feature as rendered for every database × cache × sentry ×
 * tracing combination: the right optional modules, one declaration per
 * variable carried into the config schema, .env.example and
 * docs/configuration.md, pinned dependencies, and byte-identical output for
 * the same answers. (matrix/checks/service-proof.ts installs, tests, builds
 * and runs each variant.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderProject, type RenderedProject } from '../generators/app/render.ts';
import { tsString } from '../generators/core/code-literals.ts';
import versions from '../generators/core/versions.json' with { type: 'json' };
import { serviceEnv } from '../generators/service/feature.ts';

const combinations = (['postgres', 'none'] as const).flatMap((database) =>
  (['redis', 'none'] as const).flatMap((cache) => [false, true].flatMap((sentry) => [false, true].map((tracing) => ({ database, cache, sentry, tracing })))),
);

const rendered = new Map<string, Promise<RenderedProject>>();

function render(combination: (typeof combinations)[number]): Promise<RenderedProject> {
  const key = JSON.stringify(combination);
  let project = rendered.get(key);
  if (!project) {
    project = renderProject({ name: 'orders-api', ...combination });
    rendered.set(key, project);
  }
  return project;
}

function file(project: RenderedProject, path: string): string {
  const content = project.files.get(path);
  if (content === undefined) throw new Error(`${path} was not rendered`);
  return content;
}

beforeAll(async () => {
  await Promise.all(combinations.map((combination) => render(combination)));
}, 120_000);

const label = (combination: (typeof combinations)[number]) =>
  `database=${combination.database} cache=${combination.cache}${combination.sentry ? ' sentry' : ''}${combination.tracing ? ' tracing' : ''}`;

describe.each(combinations.map((combination) => [label(combination), combination] as const))('service (%s)', (_label, combination) => {
  it('renders the modules of its options and no others', async () => {
    const { files } = await render(combination);
    const postgres = combination.database === 'postgres';
    const expectations: Record<string, boolean> = {
      'src/server.ts': true,
      'src/app.ts': true,
      'src/config.ts': true,
      'src/items/routes.ts': true,
      'test/shutdown.test.ts': true,
      'src/db/pool.ts': postgres,
      'src/db/migrator.ts': postgres,
      'src/migrate.ts': postgres,
      'src/dev/embedded-postgres.ts': postgres,
      'src/items/postgres-repository.ts': postgres,
      'src/items/memory-repository.ts': !postgres,
      'src/redis.ts': combination.cache === 'redis',
      'test/redis.test.ts': combination.cache === 'redis',
      'src/sentry.ts': combination.sentry,
      'test/sentry.test.ts': combination.sentry,
      'src/instrumentation.ts': combination.tracing,
      'test/tracing.test.ts': combination.tracing,
    };
    for (const [path, expected] of Object.entries(expectations)) expect(files.has(path), path).toBe(expected);
  });

  it('declares each variable once and carries it into the schema, .env.example and docs/configuration.md', async () => {
    const project = await render(combination);
    const declared = serviceEnv(project.facts);
    const config = file(project, 'src/config.ts');
    const example = file(project, '.env.example');
    const docs = file(project, 'docs/configuration.md');
    expect(new Set(declared.map((variable) => variable.name)).size).toBe(declared.length);
    for (const variable of declared) {
      expect(config, variable.name).toMatch(new RegExp(`^\\s+${variable.name}: `, 'm'));
      expect(example, variable.name).toContain(`# ${variable.name}=`);
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${variable.name}\` `));
      expect(row?.split('|').map((cell) => cell.trim()).slice(1, 5), variable.name).toEqual([
        `\`${variable.name}\``,
        variable.required ? 'yes' : 'no',
        variable.default === undefined ? '—' : `\`${variable.default}\``,
        variable.secret ? 'yes' : 'no',
      ]);
      if (variable.default !== undefined) expect(config, variable.name).toContain(`.prefault(${tsString(variable.default)})`);
    }
    const schemaNames = [...config.matchAll(/^ {2}([A-Z][A-Z0-9_]+): (?!true)/gm)].map((match) => match[1]);
    expect(schemaNames.sort()).toEqual(declared.map((variable) => variable.name).sort());
  });

  it('pins every dependency to the version in versions.json', async () => {
    const manifest = JSON.parse(file(await render(combination), 'package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
    const pins = versions.npm as Record<string, string>;
    for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) expect(version, name).toBe(pins[name]);
    expect(manifest.scripts.start).toBe(combination.tracing ? 'node --import ./dist/instrumentation.js dist/server.js' : 'node dist/server.js');
    expect('migrate' in manifest.scripts).toBe(combination.database === 'postgres');
    for (const script of ['build', 'dev', 'lint', 'typecheck', 'test', 'format']) expect(manifest.scripts, script).toHaveProperty(script);
  });
});

describe('service output', () => {
  it('is byte-identical for the same answers', async () => {
    const combination = { database: 'postgres', cache: 'redis', sentry: true, tracing: true } as const;
    const first = await render(combination);
    const second = await renderProject({ name: 'orders-api', ...combination });
    expect([...second.files.entries()]).toEqual([...first.files.entries()]);
  });

  it('keeps development-only code out of the production build', async () => {
    const { files } = await render({ database: 'postgres', cache: 'none', sentry: false, tracing: false });
    const build = JSON.parse(file({ files } as RenderedProject, 'tsconfig.build.json')) as { exclude: string[] };
    expect(build.exclude).toEqual(expect.arrayContaining(['src/dev.ts', 'src/dev']));
    const manifest = JSON.parse(file({ files } as RenderedProject, 'package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('@electric-sql/pglite');
    expect(Object.keys(manifest.devDependencies)).toContain('@electric-sql/pglite');
    for (const [path, content] of files) {
      if (path.startsWith('src/') && !path.startsWith('src/dev')) expect(content, path).not.toMatch(/from '@electric-sql\//);
    }
  });
});
