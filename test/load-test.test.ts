/**
 * The k6 load tests as a user gets them: three scripts over the real
 * endpoints with configurable thresholds, docs/performance.md, and the
 * k6-scripts check's verdicts on them and on broken copies.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderProject } from '../generators/app/render.ts';
import k6Scripts from '../matrix/checks/k6-scripts.ts';
import { thresholdMetrics } from '../matrix/checks/k6-scripts/endpoints.ts';

const scratch = mkdtempSync(join(tmpdir(), 'load-test-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const context = { toolsDir: scratch, log: () => {} };

describe('load tests', () => {
  it('writes smoke, load and stress scripts and docs/performance.md, and the k6-scripts check passes them and fails broken copies', async () => {
    const { files } = await renderProject({ name: 'orders-api', owner: 'acme', database: 'none' });
    for (const [path, content] of files) {
      mkdirSync(dirname(join(scratch, path)), { recursive: true });
      writeFileSync(join(scratch, path), content);
    }
    expect([...files.keys()].filter((path) => path.startsWith('load-tests/'))).toEqual(['load-tests/lib.js', 'load-tests/load.js', 'load-tests/smoke.js', 'load-tests/stress.js']);
    expect(files.get('load-tests/lib.js')).toContain("http_req_duration: [`p(95)<${numberFromEnv('P95_MS', 500)}`]");
    expect(files.get('docs/performance.md')).toContain('## Baseline');
    expect(files.get('.gitignore')).toContain('load-tests/*-summary.json');
    expect(await k6Scripts.run(scratch, context)).toEqual([]);

    const lib = join(scratch, 'load-tests/lib.js');
    writeFileSync(lib, readFileSync(lib, 'utf8').replace('/items?limit=20', '/itemz?limit=20').replace('http_req_failed: [', 'http_req_faild: [').replace('r.status === 204', 'r.statuscode === 204'));
    const messages = (await k6Scripts.run(scratch, context)).map((finding) => `${finding.file ?? ''} ${finding.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^load-tests\/lib\.js line \d+: TS2339: Property 'statuscode' does not exist/),
        expect.stringMatching(/^load-tests\/lib\.js line \d+: GET \/api\/v1\/itemz is not a route of the service/),
        expect.stringMatching(/^load-tests\/lib\.js line \d+: threshold on "http_req_faild", which is not a k6 built-in metric$/),
      ]),
    );
  });

  it('writes nothing with --no-load-test', async () => {
    const { files } = await renderProject({ name: 'orders-api', loadTest: false });
    expect([...files.keys()].filter((path) => path.startsWith('load-tests/') || path === 'docs/performance.md')).toEqual([]);
  });

  it('reads threshold keys past template literals and tag filters', () => {
    expect(thresholdMetrics("export const thresholds = {\n  a_b: [`rate<${f('X', 1)}`],\n  'http_req_duration{name:x}': ['p(95)<1'],\n};")).toEqual([
      { metric: 'a_b', line: 2 },
      { metric: 'http_req_duration', line: 3 },
    ]);
  });
});
