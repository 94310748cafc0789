/** Small helpers the checks in matrix/checks/ share. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckContext } from './check.ts';

export interface CheckedFile {
  /** As the runner named it, relative to the run directory ("README.md", or "3/README.md" in a batch). */
  file: string;
  /** Absolute path. */
  path: string;
  /** The project root the file belongs to (the run directory, or its unit subdirectory in a batch). */
  root: string;
  /** Path inside that project. */
  projectPath: string;
}

/** The files a run is about, with their project roots. */
export function checkedFiles(directory: string, context: CheckContext, batched: boolean): CheckedFile[] {
  if (!context.files) throw new Error('the runner did not name the files to check (context.files)');
  return context.files.map((file) => {
    const slash = file.indexOf('/');
    const unit = batched && slash > 0 ? file.slice(0, slash) : '';
    return { file, path: join(directory, file), root: join(directory, unit), projectPath: unit ? file.slice(slash + 1) : file };
  });
}

/** The version in an installed npm package's package.json. */
export function packageVersion(name: string): string {
  let directory = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === name && manifest.version) return manifest.version;
    } catch {
      // No package.json at this level: keep going up.
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`Cannot find the version of ${name}`);
    directory = parent;
  }
}

/** 1-based line number of an offset in a text. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) line++;
  return line;
}

/** Markdown without fenced code blocks and code spans, blanked out with spaces so offsets (and lines) stay put. */
export function markdownProse(text: string): string {
  const blank = (segment: string) => segment.replace(/[^\n]/g, ' ');
  let fence: string | undefined;
  const lines = text.split('\n').map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      if (marker === undefined) return line;
      fence = marker;
      return blank(line);
    }
    if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
    return blank(line);
  });
  return lines.join('\n').replace(/(`+)(?:(?!\1)[^\n])+?\1/g, blank);
}
