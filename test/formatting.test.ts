/**
 * Every generated file Prettier handles is Prettier-clean with the project's
 * own settings, for every variant of the app's code: Markdown, YAML and JSON
 * are formatted at generation time, TypeScript templates are written clean.
 */
import { describe, expect, it } from 'vitest';
import * as prettier from 'prettier';
import { renderProject } from '../generators/app/render.ts';

const variants = ['postgres', 'none'].flatMap((database) =>
  ['redis', 'none'].flatMap((cache) => [true, false].flatMap((sentry) => [true, false].map((tracing) => ({ database, cache, sentry, tracing })))),
);

describe('formatting', () => {
  it.each(variants)('$database, cache $cache, sentry $sentry, tracing $tracing: prettier --check passes', async (variant) => {
    // A description with both kinds of quotes and Markdown emphasis, as users write them.
    const { files } = await renderProject({ name: 'orders-api', description: `Takes *customers'* "orders" & ships them`, ...variant });
    const config = JSON.parse(files.get('.prettierrc.json') as string);
    const unformatted: string[] = [];
    for (const [path, content] of files) {
      const info = await prettier.getFileInfo(path);
      if (!info.inferredParser) continue;
      if (!(await prettier.check(content, { ...config, filepath: path }))) unformatted.push(path);
    }
    expect(unformatted).toEqual([]);
  });
});
