/**
 * The container feature: compose files built as data from the declared
 * variables, the files each deploy target gets, and the Dockerfile reader and
 * .dockerignore matcher the replay check relies on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { EnvVar } from '../generators/core/slots.ts';
import { deriveFacts } from '../generators/core/facts.ts';
import { completeAnswers } from '../generators/core/answers.ts';
import versions from '../generators/core/versions.json' with { type: 'json' };
import { composeYaml, developmentCompose, developmentEnvironment, productionCompose, productionEnvironment } from '../generators/compose/feature.ts';
import { pinnedImage } from '../generators/core/versions.ts';
import { outputPathOf } from '../generators/core/templates.ts';
import { parseDockerfile, splitWords, stagesFor, substitute, healthcheck } from '../matrix/checks/container/dockerfile.ts';
import { dockerignoreMatcher } from '../matrix/checks/container/replay.ts';
import { matchesGlob } from '../matrix/support/glob.ts';
import { renderProject } from '../generators/app/render.ts';
import { repoRoot } from './helpers.ts';

const env: EnvVar[] = [
  { name: 'DATABASE_URL', description: 'db', required: true, example: 'postgres://u:p@127.0.0.1:5432/d', secret: true },
  { name: 'HOST', description: 'host', required: false, default: '0.0.0.0', secret: false },
  { name: 'LOG_LEVEL', description: 'level', required: false, default: 'info', secret: false },
  { name: 'NODE_ENV', description: 'mode', required: false, default: 'production', secret: false },
  { name: 'PORT', description: 'port', required: false, default: '3000', secret: false },
  { name: 'PRICE_FORMAT', description: 'a default with a dollar', required: false, default: '$0.00', secret: false },
  { name: 'REDIS_URL', description: 'redis', required: true, example: 'redis://127.0.0.1:6379', secret: true },
  { name: 'SENTRY_DSN', description: 'dsn', required: false, example: 'https://k@o0.ingest.sentry.io/0', secret: true },
];

function answersFor(given: Record<string, unknown>) {
  const { answers, problems } = completeAnswers({ name: 'orders-api', ...given });
  if (!answers) throw new Error(problems.join('\n'));
  return deriveFacts(answers);
}

describe('compose files as data', () => {
  const answers = answersFor({ database: 'postgres', cache: 'redis', deploy: 'both' });

  it('gives the app every declared variable in development, with topology values and safe defaults', () => {
    const environment = developmentEnvironment(answers, env);
    expect(Object.keys(environment)).toEqual(env.map((variable) => variable.name));
    expect(environment.DATABASE_URL).toBe('postgres://orders_api:local-development-only@postgres:5432/orders_api');
    expect(environment.REDIS_URL).toBe('redis://redis:6379');
    expect(environment.NODE_ENV).toBe('development');
    expect(environment.LOG_LEVEL).toBe('${LOG_LEVEL:-info}');
    expect(environment.PRICE_FORMAT).toBe('${PRICE_FORMAT:-$$0.00}');
    expect(environment.SENTRY_DSN).toBeNull();
  });

  it('refuses a required variable without a safe local value', () => {
    const secret: EnvVar = { name: 'API_TOKEN', description: 'token', required: true, secret: true };
    expect(() => developmentEnvironment(answers, [...env, secret])).toThrow(/API_TOKEN is required and has no safe local value/);
  });

  it('makes Compose refuse to start production without a required variable', () => {
    const environment = productionEnvironment(answers, env);
    expect(environment.DATABASE_URL).toBe('${DATABASE_URL:?Set DATABASE_URL in .env.production}');
    expect(environment.REDIS_URL).toBe('${REDIS_URL:-redis://redis:6379}');
    expect(environment.NODE_ENV).toBe('production');
    expect(environment).not.toHaveProperty('SENTRY_DSN');
  });

  it('hardens every production service and publishes ports only on Caddy', () => {
    const compose = productionCompose(answers, env) as { services: Record<string, Record<string, unknown>>; networks: Record<string, unknown> };
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toEqual(['no-new-privileges:true']);
      expect(service.logging, name).toBeDefined();
      expect((service.deploy as { resources: { limits: object } }).resources.limits, name).toHaveProperty('memory');
      if (name !== 'caddy') expect(service.ports, name).toBeUndefined();
      if (name !== 'migrate') expect(service.healthcheck, name).toBeDefined();
    }
    expect(compose.services.app?.user).toBe('10001:10001');
    expect(compose.services.postgres?.profiles).toEqual(['postgres']);
    expect(compose.services.migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy', required: false } });
    expect(compose.networks.internal).toEqual({ internal: true });
  });

  it('pins every image by tag and digest from versions.json', () => {
    const text = JSON.stringify([developmentCompose(answers, env), productionCompose(answers, env)]);
    for (const image of [...text.matchAll(/"image":"([^"]+)"/g)].map((match) => match[1] as string)) {
      if (image.startsWith('${IMAGE')) continue;
      expect(image).toMatch(/^[a-z]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    }
    expect(pinnedImage('node')).toBe(`node:${versions.images.node.tag}@${versions.images.node.digest}`);
  });

  it('serializes so that YAML 1.1 and 1.2 readers see the same data', () => {
    const text = composeYaml('header', developmentCompose(answersFor({ cache: 'redis' }), env));
    expect(text).toContain("- 'no'"); // quoted for YAML 1.1, in the single quotes Prettier writes
    expect(parse(text, { version: '1.1' })).toEqual(parse(text, { version: '1.2' }));
    expect(text.startsWith('# header\n')).toBe(true);
  });
});

describe('rendered through the generator', { timeout: 60_000 }, () => {
  const render = (given: Record<string, unknown>) => renderProject({ name: 'orders-api', ...given }).then(({ files }) => files);

  it('writes compose.production.yaml and the Caddyfile only when Compose is a production target', async () => {
    for (const deploy of ['kubernetes', 'compose', 'both']) {
      const files = await render({ deploy });
      for (const path of ['Dockerfile', '.dockerignore', 'compose.yaml']) expect(files.has(path), `${deploy}: ${path}`).toBe(true);
      expect(files.has('compose.production.yaml'), deploy).toBe(deploy !== 'kubernetes');
      expect(files.has('Caddyfile'), deploy).toBe(deploy !== 'kubernetes');
      expect(files.get('README.md')?.includes('## Production with Docker Compose'), deploy).toBe(deploy !== 'kubernetes');
    }
  });

  it('gives the development app exactly the variables the project declares (.env.example lists the same)', async () => {
    const files = await render({ database: 'postgres', cache: 'redis', tracing: true, sentry: true });
    const compose = parse(files.get('compose.yaml') as string) as { services: { app: { environment: Record<string, unknown> } } };
    const declared = [...(files.get('.env.example') as string).matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    expect(Object.keys(compose.services.app.environment).sort()).toEqual([...new Set(declared)].sort());
  });

  it('starts the image with exec-form node, through tini, as 10001, with OpenTelemetry loaded first when tracing', async () => {
    const plain = (await render({ tracing: false })).get('Dockerfile') as string;
    const traced = (await render({ tracing: true })).get('Dockerfile') as string;
    for (const dockerfile of [plain, traced]) {
      expect(dockerfile).toContain(`FROM node:${versions.images.node.tag}@${versions.images.node.digest} AS base`);
      expect(dockerfile).toMatch(/^USER 10001:10001$/m);
      expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
      expect(dockerfile).toMatch(/^ENV NODE_ENV=production$/m);
      expect(dockerfile).not.toMatch(/npm (start|run start)/);
    }
    expect(plain).toMatch(/^CMD \["node", "dist\/server.js"\]$/m);
    expect(traced).toMatch(/^CMD \["node", "--import", ".\/dist\/instrumentation.js", "dist\/server.js"\]$/m);
  });

  it('is deterministic', async () => {
    const first = await render({ deploy: 'both', cache: 'redis' });
    const second = await render({ deploy: 'both', cache: 'redis' });
    for (const path of ['Dockerfile', '.dockerignore', 'compose.yaml', 'compose.production.yaml', 'Caddyfile']) expect(second.get(path), path).toBe(first.get(path));
  });
});

describe('Dockerfile reader', () => {
  const dockerfile = parseDockerfile(
    [
      'ARG BASE=node:24',
      'FROM ${BASE} AS base',
      '# a comment',
      'RUN --mount=type=cache,target=/root/.npm \\',
      '    npm ci \\',
      '    # comment inside a continuation',
      '    --no-audit',
      'FROM base AS build',
      'COPY --from=base /app ./',
      'HEALTHCHECK --interval=5s --retries=2 CMD ["node", "-e", "1"]',
      'CMD ["node", "dist/server.js"]',
    ].join('\n'),
  );

  it('reads stages, flags, continuations and the exec form', () => {
    expect(dockerfile.stages.map((stage) => [stage.name, stage.from])).toEqual([
      ['base', 'node:24'],
      ['build', 'base'],
    ]);
    const run = dockerfile.stages[0]?.instructions[0];
    expect(run?.flags.get('mount')).toEqual(['type=cache,target=/root/.npm']);
    expect(run?.args.replace(/\s+/g, ' ')).toBe('npm ci --no-audit');
    expect(dockerfile.stages[1]?.instructions.at(-1)?.exec).toEqual(['node', 'dist/server.js']);
    const check = healthcheck(dockerfile.stages[1]?.instructions[1] as never, ['/bin/sh', '-c']);
    expect(check).toEqual({ command: ['node', '-e', '1'], intervalMs: 5000, timeoutMs: 30000, startPeriodMs: 0, retries: 2 });
    expect(stagesFor(dockerfile, dockerfile.stages[1] as never).map((stage) => stage.name)).toEqual(['base', 'build']);
  });

  it('substitutes variables as the Dockerfile reference defines', () => {
    const variables = new Map([['A', 'x']]);
    expect(substitute('${A}-$A-${B:-d}-${A:+y}-\\$A', variables)).toBe('x-x-d-y-$A');
    expect(splitWords('a "b c" \'d e\'')).toEqual(['a', 'b c', 'd e']);
  });

  it('rejects what it cannot replay instead of skipping it', () => {
    expect(() => parseDockerfile('FROM a\nFETCH x')).toThrow(/unknown instruction FETCH/);
    expect(() => parseDockerfile('FROM a\nRUN <<EOF\necho\nEOF')).toThrow(/here-document/);
    expect(() => parseDockerfile('RUN true')).toThrow(/before the first FROM/);
  });
});

describe('.dockerignore of the generated project', () => {
  const ignored = dockerignoreMatcher(readFileSync(join(repoRoot, 'templates', 'container', 'dot-dockerignore'), 'utf8'));

  it('lands as .dockerignore', () => {
    expect(outputPathOf('dot-dockerignore')).toBe('.dockerignore');
  });

  it.each(['node_modules/fastify/package.json', '.git/HEAD', '.env', '.env.production', 'coverage/index.html', 'test/app.test.ts', 'dist/server.js', 'docs/adr/0001.md', 'src/.env', 'src/app.test.ts', 'src/node_modules/x.js', 'compose.yaml', 'README.md'])(
    'keeps %s out of the build context',
    (path) => expect(ignored(path)).toBe(true),
  );

  it.each(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src/server.ts', 'src/db/migrations.ts'])('sends %s', (path) => expect(ignored(path)).toBe(false));

  it('matches globs like Go filepath.Match with **', () => {
    expect(matchesGlob('a/b/c.ts', '**/*.ts')).toBe(true);
    expect(matchesGlob('c.ts', '**/*.ts')).toBe(true);
    expect(matchesGlob('a/c.ts', '*.ts')).toBe(false);
    expect(matchesGlob('.env', '*')).toBe(true);
  });
});
