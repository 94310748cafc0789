/**
 * EJS templates compiled ahead of time, by path under templates/ ("/"
 * separators, e.g. "repo/README.md.ejs"). Empty when the generator runs from
 * its TypeScript sources (tests, the matrix): templates then compile on first
 * use. `.ci/bundle.ts` replaces this module in the published bundle with one
 * that holds every template compiled with the same options
 * (templates.ts, `compileOptions`), so a cold run compiles none (compiling
 * them took about a sixth of a cold run).
 */
import type { TemplateFunction } from 'ejs';

export const precompiledTemplates: ReadonlyMap<string, TemplateFunction> = new Map();
