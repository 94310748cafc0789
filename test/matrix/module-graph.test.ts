/** A check's code hash covers the modules it imports, so changing a helper re-runs the check. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleGraphHash } from '../../matrix/module-graph.ts';

const root = mkdtempSync(join(tmpdir(), 'module-graph-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

describe('moduleGraphHash', () => {
  write({
    'checks/a.ts': "import type { T } from './types.ts';\nimport { helper } from './a/helper.ts';\nimport { readFileSync } from 'node:fs';\nexport const a = (x: T): number => helper(x);\n",
    'checks/types.ts': 'export type T = number;\n',
    'checks/a/helper.ts': "import data from '../../data.json' with { type: 'json' };\nexport const helper = <V,>(x: V) => (data as { n: number }).n;\nconst lazy = () => import('./lazy.ts');\n",
    'checks/a/lazy.ts': 'export const lazy = 1;\n',
    'data.json': '{ "n": 1 }\n',
    'unrelated.ts': 'export const u = 1;\n',
  });
  const entry = join(root, 'checks/a.ts');
  const original = moduleGraphHash(entry, root);

  it('changes when any module it reaches changes: a helper, a type module, a JSON import, a dynamic import', () => {
    for (const [path, content] of [
      ['checks/a/helper.ts', "import data from '../../data.json' with { type: 'json' };\nexport const helper = <V,>(x: V) => (data as { n: number }).n + 1;\nconst lazy = () => import('./lazy.ts');\n"],
      ['checks/types.ts', 'export type T = string;\n'],
      ['data.json', '{ "n": 2 }\n'],
      ['checks/a/lazy.ts', 'export const lazy = 2;\n'],
    ] as const) {
      const before = moduleGraphHash(entry, root);
      write({ [path]: content });
      expect(moduleGraphHash(entry, root), path).not.toBe(before);
    }
  });

  it('does not change for a module it does not import, or for a package import', () => {
    const before = moduleGraphHash(entry, root);
    write({ 'unrelated.ts': 'export const u = 2;\n' });
    expect(moduleGraphHash(entry, root)).toBe(before);
    expect(before).not.toBe(original);
  });

  it('names a relative import of a missing file', () => {
    write({ 'checks/b.ts': "import { gone } from './gone.ts';\nexport const b = gone;\n" });
    expect(() => moduleGraphHash(join(root, 'checks/b.ts'), root)).toThrow('checks/b.ts imports ./gone.ts, which does not exist');
  });
});
