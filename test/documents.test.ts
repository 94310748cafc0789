/**
 * Project documents as a user reads them: the decision records of exactly the
 * chosen options, the security checklist, the open-source files and the load
 * tests, proven with the markdownlint and documents-consistency checks.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderProject } from '../generators/app/render.ts';
import type { Facts } from '../generators/core/facts.ts';
import type { ChecklistItem } from '../generators/core/slots.ts';
import { renderSecurityChecklist } from '../generators/docs/feature.ts';
import documentsConsistency, { adrFindings } from '../matrix/checks/documents-consistency.ts';
import markdownlint from '../matrix/checks/markdownlint.ts';

const scratch = mkdtempSync(join(tmpdir(), 'documents-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function write(variant: Record<string, unknown>, name: string): Promise<{ root: string; files: Map<string, string> }> {
  const { files } = await renderProject({ name: 'orders-api', owner: 'acme', ...variant });
  const root = join(scratch, name);
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, files };
}

const context = (files: string[]) => ({ toolsDir: scratch, log: () => {}, files });

describe('project documents', () => {
  it('writes a decision record for each chosen option and none for the others', async () => {
    const full = await write({ database: 'postgres', cache: 'redis', sentry: true, tracing: true, deploy: 'both', license: 'Apache-2.0' }, 'full');
    const lean = await write({ database: 'none', cache: 'none', sentry: false, tracing: false, deploy: 'kubernetes', license: 'UNLICENSED', loadTest: false }, 'lean');
    const records = (files: Map<string, string>) => [...files.keys()].filter((path) => /^docs\/adr\/\d{4}-/.test(path));
    const slugs = (files: Map<string, string>) => records(files).map((path) => path.replace(/^docs\/adr\/\d{4}-(.*)\.md$/, '$1'));
    const chosenFull = ['nodejs-fastify-typescript', 'postgresql-with-sql-migrations', 'redis-rate-limit-store', 'sentry-error-tracking', 'opentelemetry-tracing', 'compose-with-caddy', 'license', 'kustomize-overlays'];
    // In index order (other features' records may sit between these).
    expect(slugs(full.files).filter((slug) => chosenFull.includes(slug))).toEqual(chosenFull);
    expect(slugs(lean.files)).toEqual(expect.arrayContaining(['nodejs-fastify-typescript', 'in-memory-store', 'license', 'kustomize-overlays']));
    for (const notChosen of ['postgresql-with-sql-migrations', 'redis-rate-limit-store', 'sentry-error-tracking', 'opentelemetry-tracing', 'compose-with-caddy']) expect(slugs(lean.files)).not.toContain(notChosen);
    expect(slugs(full.files)).not.toContain('in-memory-store');
    // Numbered 0001, 0002, ... without gaps.
    for (const files of [full.files, lean.files]) expect(records(files).map((path) => path.slice(9, 13))).toEqual(records(files).map((_, index) => String(index + 1).padStart(4, '0')));
    expect(lean.files.get(records(lean.files).find((path) => path.endsWith('-nodejs-fastify-typescript.md')) as string)).toContain('# Build the service on Node.js 24, Fastify 5 and TypeScript');
    expect(full.files.get(records(full.files).find((path) => path.endsWith('-license.md')) as string)).toContain('Chosen option: "Apache-2.0"');
    expect(lean.files.get('CONTRIBUTING.md')).toContain('is proprietary software of its owners');
    expect(lean.files.get('SECURITY.md')).toContain('write directly to the maintainers of [acme](https://github.com/acme)');
    expect(full.files.get('SECURITY.md')).toContain('[private vulnerability reporting](https://github.com/acme/orders-api/security/advisories/new)');
    expect(full.files.get('README.md')).toContain('- [docs/security-checklist.md](docs/security-checklist.md)');
    expect(lean.files.has('load-tests/load.js')).toBe(false);
    expect(full.files.get('CODE_OF_CONDUCT.md')).toContain('[acme](https://github.com/acme)');
    expect(full.files.get('CHANGELOG.md')).toContain('## [Unreleased]');
  });

  it('lists the missing authentication as open manual items and every go-live value', async () => {
    const { files } = await write({ deploy: 'both', cache: 'redis' }, 'checklist');
    const checklist = files.get('docs/security-checklist.md') ?? '';
    expect(checklist).toContain('## A01:2025 Broken Access Control');
    expect(checklist).toMatch(/- \[ \] The API has no authorization yet/);
    expect(checklist).toMatch(/- \[ \] No authentication mechanism exists yet/);
    expect(checklist).toContain('[`deploy/kubernetes/overlays/production/ingress.yaml`](../deploy/kubernetes/overlays/production/ingress.yaml)');
    expect(checklist).toContain('- `REDIS_URL`:');
    expect(checklist).toContain('- `ACME_EMAIL` in `.env.production`');
  });

  it('refuses a checklist item that cites an ASVS id outside levels 1 and 2', () => {
    const facts = { title: 'Orders API' } as Facts;
    const item: ChecklistItem = { id: 'x', category: 'A05', asvs: ['V1.2.10'], text: 'CSV export is escaped.', implementedBy: { file: 'src/app.ts' } };
    expect(() => renderSecurityChecklist(facts, [item], [], [])).toThrow('Checklist item x cites V1.2.10, which generators/docs/asvs.ts does not list as an ASVS 5.0 level 1 or 2 requirement');
    expect(renderSecurityChecklist(facts, [{ ...item, asvs: ['V1.2.4'] }], [], [])).toContain('- [x] CSV export is escaped. (ASVS V1.2.4; implemented in [`src/app.ts`](../src/app.ts))');
  });

  it('passes markdownlint and documents-consistency on every Markdown file, and both fail on broken samples', async () => {
    const { root, files } = await write({ deploy: 'both', cache: 'redis', sentry: true, tracing: true }, 'checks');
    const markdown = [...files.keys()].filter((path) => path.endsWith('.md'));
    expect(await markdownlint.run(root, context(markdown))).toEqual([]);
    expect(await documentsConsistency.run(root, context(markdown))).toEqual([]);

    writeFileSync(join(root, 'docs/bad.md'), '# Title\n## No blank line\n* star\n');
    const lint = await markdownlint.run(root, context(['docs/bad.md']));
    expect(lint.map((finding) => finding.message)).toContain('line 3: MD004/ul-style Unordered list style [Expected: dash; Actual: asterisk]');

    rmSync(join(root, 'src/errors.ts'));
    const redisRecord = [...files.keys()].find((path) => /^docs\/adr\/\d{4}-redis-rate-limit-store\.md$/.test(path)) as string;
    rmSync(join(root, redisRecord));
    const consistency = await documentsConsistency.run(root, context(markdown));
    expect(consistency.map((finding) => finding.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/src\/errors\.ts is not generated$/), expect.stringMatching(/^lists 0001-.*-redis-rate-limit-store\.md.*; the ADR files are /)]),
    );
    expect(adrFindings('x.md', '---\nstatus: accepted\n---\n\n# T\n\n## Considered Options\n\n- One\n')).toContainEqual({ file: 'x.md', message: 'fewer than two considered options' });
  });
});
