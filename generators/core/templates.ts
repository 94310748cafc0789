/**
 * Template files of a feature: listed once per process, compiled once (or
 * ahead of time in the published bundle: compiled-templates.ts), and rendered
 * with plain data (no generator context).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ejs from 'ejs';
import { precompiledTemplates } from './compiled-templates.ts';
import { templatesRoot } from './paths.ts';

export interface TemplateFile {
  /** Absolute source path. */
  source: string;
  /** Path in the generated project, with "/" separators. */
  output: string;
  isTemplate: boolean;
}

/** `dot-` at the start of a path segment stands for "." (npm drops some dotfiles from packages). */
export function outputPathOf(templatePath: string): string {
  return templatePath
    .split('/')
    .map((segment) => segment.replace(/^dot-/, '.'))
    .join('/')
    .replace(/\.ejs$/, '');
}

const listings = new Map<string, TemplateFile[]>();

export function templateFiles(feature: string): TemplateFile[] {
  let files = listings.get(feature);
  if (!files) {
    const root = join(templatesRoot, feature);
    files = !existsSync(root) ? [] : (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const source = join(entry.parentPath, entry.name);
        const templatePath = relative(root, source).split(sep).join('/');
        return { source, output: outputPathOf(templatePath), isTemplate: templatePath.endsWith('.ejs') };
      })
      .filter((file) => !file.output.startsWith(`${PARTS_DIRECTORY}/`))
      .sort((a, b) => (a.output < b.output ? -1 : 1));
    listings.set(feature, files);
  }
  return files;
}

/** Fragments (README and docs sections) live here inside a feature's templates; they are not files of the project. */
export const PARTS_DIRECTORY = '_parts';

/** The data every template receives, as local names. */
export const TEMPLATE_LOCALS = ['facts', 'versions', 'assembled', 'code'] as const;
export type TemplateData = Record<(typeof TEMPLATE_LOCALS)[number], unknown>;

const compiled = new Map<string, ejs.TemplateFunction>();

/** A template's path under templates/ with "/" separators: the key of precompiledTemplates. */
export function templateKey(source: string): string {
  return relative(templatesRoot, source).split(sep).join('/');
}

/**
 * The EJS options of every template (at run time and in the bundle's
 * precompiled ones): strict mode, only the TEMPLATE_LOCALS, synchronous, no
 * HTML escaping (output is Markdown, YAML, TypeScript...). `filename` names the
 * template in error messages.
 */
export function compileOptions(filename: string) {
  // A function expression, not an arrow: a precompiled template inlines its source after `||`.
  const escape = function escape(value: unknown): string {
    return String(value);
  };
  return { filename, strict: true, destructuredLocals: [...TEMPLATE_LOCALS], async: false as const, escape };
}

export function renderTemplate(file: TemplateFile, data: TemplateData): string {
  if (!file.isTemplate) return readFileSync(file.source, 'utf8');
  let template = compiled.get(file.source) ?? precompiledTemplates.get(templateKey(file.source));
  if (!template) {
    const made = ejs.compile(readFileSync(file.source, 'utf8'), compileOptions(file.source));
    compiled.set(file.source, made);
    return made(data);
  }
  return template(data);
}

/** Renders templates/<feature>/_parts/<name> (EJS when it ends in .ejs) with the given data. */
export function renderPart(feature: string, name: string, data: TemplateData): string {
  const ejsSource = join(templatesRoot, feature, PARTS_DIRECTORY, `${name}.ejs`);
  const plainSource = join(templatesRoot, feature, PARTS_DIRECTORY, name);
  const isTemplate = existsSync(ejsSource);
  if (!isTemplate && !existsSync(plainSource)) throw new Error(`Feature ${feature} has no part ${name} (templates/${feature}/${PARTS_DIRECTORY}/${name}[.ejs])`);
  return renderTemplate({ source: isTemplate ? ejsSource : plainSource, output: name, isTemplate }, data);
}
