/**
 * The three-way plan file by file (base, ours on disk, theirs), the merge of
 * one text file with git merge-file semantics, migrations of answers and paths,
 * and the add/remove feature names derived from the option model.
 */
import { mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureToggles, toggleFlag } from '../generators/core/feature-toggles.ts';
import { isMergeableText, mergeText } from '../generators/core/merge-file.ts';
import { fileMoves, migrateAnswers, stepsBetween, type Migration } from '../generators/core/migrations.ts';
import { options } from '../generators/core/options.ts';
import { planThreeWay } from '../generators/core/three-way.ts';
import { sha256 } from '../generators/core/write-plan.ts';
import { workspaces } from './helpers.ts';

const workspace = workspaces('cpa-three-way-');
const LABELS = { ours: 'yours', base: 'old', theirs: 'new' };
const b = (text: string) => Buffer.from(text, 'utf8');

/** A project directory holding `files` (path → text). */
function projectWith(files: Record<string, string | Buffer>): string {
  const root = workspace();
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), contents);
  }
  return root;
}

describe('mergeText (git merge-file)', () => {
  it('merges changes to different lines and keeps the last newline', async () => {
    const merged = await mergeText(b('a\nb\nc\nd\ne\n'), b('A\nb\nc\nd\ne\n'), b('a\nb\nc\nd\nE\n'), LABELS);
    expect(merged).toEqual({ text: b('A\nb\nc\nd\nE\n'), conflicts: 0 });
  });

  it('leaves a change of the same line on both sides between diff3 markers, labelled', async () => {
    const merged = await mergeText(b('a\nb\nc\n'), b('a\nmine\nc\n'), b('a\ntheirs\nc\n'), LABELS);
    expect(merged.conflicts).toBe(1);
    expect(merged.text.toString('utf8')).toBe('a\n<<<<<<< yours\nmine\n||||||| old\nb\n=======\ntheirs\n>>>>>>> new\nc\n');
  });

  it('takes an identical change on both sides once', async () => {
    expect(await mergeText(b('a\nb\n'), b('a\nB\n'), b('a\nB\n'), LABELS)).toEqual({ text: b('a\nB\n'), conflicts: 0 });
  });

  it('counts every conflicting hunk', async () => {
    const merged = await mergeText(b('1\n2\n3\n4\n5\n6\n'), b('x\n2\n3\n4\n5\ny\n'), b('p\n2\n3\n4\n5\nq\n'), LABELS);
    expect(merged.conflicts).toBe(2);
  });

  it('takes text as UTF-8 without NUL bytes; anything else is not merged', () => {
    expect(isMergeableText(b('héllo ✓\n'))).toBe(true);
    expect(isMergeableText(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]))).toBe(false);
    expect(isMergeableText(Buffer.from([0x66, 0xff, 0x66]))).toBe(false);
  });
});

describe('planThreeWay', () => {
  it('sorts every file into its case', async () => {
    const root = projectWith({
      'same.md': 'same\n',
      'unedited.md': 'old\n',
      'template-only-unchanged.md': 'mine\n',
      'both.md': 'a\nmine\nc\nd\ne\n',
      'conflict.md': 'a\nmine\nc\n',
      'gone-unedited.md': 'gone\n',
      'gone-edited.md': 'gone, but mine\n',
      'taken.md': 'my own file\n',
      'already.md': 'new\n',
    });
    const base = new Map([
      ['same.md', b('same\n')],
      ['unedited.md', b('old\n')],
      ['template-only-unchanged.md', b('base\n')],
      ['both.md', b('a\nb\nc\nd\ne\n')],
      ['conflict.md', b('a\nb\nc\n')],
      ['gone-unedited.md', b('gone\n')],
      ['gone-edited.md', b('gone\n')],
      ['deleted-changed.md', b('old\n')],
      ['deleted-same.md', b('same\n')],
    ]);
    const theirs = new Map([
      ['same.md', b('same\n')],
      ['unedited.md', b('new\n')],
      ['template-only-unchanged.md', b('base\n')],
      ['both.md', b('a\nb\nc\nd\nE\n')],
      ['conflict.md', b('a\ntheirs\nc\n')],
      ['deleted-changed.md', b('new\n')],
      ['deleted-same.md', b('same\n')],
      ['added.md', b('added\n')],
      ['taken.md', b('generated\n')],
      ['already.md', b('new\n')],
    ]);
    const result = await planThreeWay({ root, base, theirs, labels: LABELS });
    expect(result.updated).toEqual(['unedited.md']);
    expect(result.merged).toEqual(['both.md']);
    expect(result.conflicts).toEqual([
      { path: 'conflict.md', hunks: 1 },
      { path: 'taken.md', hunks: 1 },
    ]);
    expect(result.added).toEqual(['added.md']);
    expect(result.removed).toEqual(['gone-unedited.md']);
    expect(result.deletedButChanged).toEqual(['deleted-changed.md']);
    expect(result.keptEdited).toEqual(['gone-edited.md']);
    expect(result.notMerged).toEqual([]);
    expect(result.plan.create.map((file) => file.path)).toEqual(['added.md']);
    expect(result.plan.update.map((file) => file.path)).toEqual(['both.md', 'conflict.md', 'taken.md', 'unedited.md']);
    expect(result.plan.remove).toEqual(['gone-unedited.md']);
    expect(result.plan.unchanged).toEqual(['already.md', 'same.md', 'template-only-unchanged.md']);
    expect(result.plan.conflicts).toEqual([]);
    const written = Object.fromEntries(result.plan.update.map((file) => [file.path, file.contents.toString('utf8')]));
    expect(written['both.md']).toBe('a\nmine\nc\nd\nE\n');
    // A user's file where a new one goes: both kept, merged against an empty base.
    expect(written['taken.md']).toBe('<<<<<<< yours\nmy own file\n||||||| old\n=======\ngenerated\n>>>>>>> new\n');
  });

  it('never merges a file that is not text, nor one with a directory in its place', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]);
    const root = projectWith({ 'logo.png': png });
    mkdirSync(join(root, 'dir.md'));
    const result = await planThreeWay({
      root,
      base: new Map([
        ['logo.png', b('old\n')],
        ['dir.md', b('old\n')],
      ]),
      theirs: new Map([
        ['logo.png', b('new\n')],
        ['dir.md', b('new\n')],
      ]),
      labels: LABELS,
    });
    expect(result.notMerged).toEqual([
      { path: 'dir.md', reason: 'not-a-file' },
      { path: 'logo.png', reason: 'binary' },
    ]);
    expect(result.plan.update).toEqual([]);
    expect(result.plan.create).toEqual([]);
  });

  it('merges a moved file at its new path and removes the old one', async () => {
    const root = projectWith({ 'CONTRIBUTING.md': 'a\nb\nmine\n', 'old-unedited.md': 'x\n' });
    const result = await planThreeWay({
      root,
      base: new Map([
        ['docs/CONTRIBUTING.md', b('a\nb\nc\n')],
        ['docs/unedited.md', b('x\n')],
        ['docs/deleted.md', b('y\n')],
      ]),
      theirs: new Map([
        ['docs/CONTRIBUTING.md', b('A\nb\nc\n')],
        ['docs/unedited.md', b('x\n')],
        ['docs/deleted.md', b('y\n')],
      ]),
      origins: new Map([
        ['docs/CONTRIBUTING.md', 'CONTRIBUTING.md'],
        ['docs/unedited.md', 'old-unedited.md'],
        ['docs/deleted.md', 'deleted.md'],
      ]),
      labels: LABELS,
    });
    expect(result.moved).toEqual([
      { from: 'CONTRIBUTING.md', to: 'docs/CONTRIBUTING.md' },
      { from: 'old-unedited.md', to: 'docs/unedited.md' },
    ]);
    expect(result.merged).toEqual(['docs/CONTRIBUTING.md']);
    expect(result.plan.create.map((file) => [file.path, file.contents.toString('utf8')])).toEqual([
      ['docs/CONTRIBUTING.md', 'A\nb\nmine\n'],
      ['docs/unedited.md', 'x\n'],
    ]);
    expect(result.plan.remove).toEqual(['CONTRIBUTING.md', 'old-unedited.md']);
    expect(result.deletedButChanged).toEqual([]);
  });

  it('never follows nor replaces a symbolic link at a generated path, inside or outside the project: kept, not merged (reported when the file changed), not recorded', async () => {
    const root = projectWith({ 'README.md': 'readme\n', 'docs/other.md': 'old\n' });
    const outside = workspace();
    writeFileSync(join(outside, 'x.md'), 'old\n');
    symlinkSync('../README.md', join(root, 'docs/service.md'));
    symlinkSync(join(outside, 'x.md'), join(root, 'docs/outside.md'));
    symlinkSync('other.md', join(root, 'docs/gone.md'));
    symlinkSync('other.md', join(root, 'docs/same.md'));
    const result = await planThreeWay({
      root,
      base: new Map([
        ['docs/service.md', b('readme\n')],
        ['docs/outside.md', b('old\n')],
        ['docs/gone.md', b('old\n')],
        ['docs/same.md', b('same\n')],
      ]),
      theirs: new Map([
        ['docs/service.md', b('new\n')],
        ['docs/outside.md', b('new\n')],
        ['docs/same.md', b('same\n')],
      ]),
      labels: LABELS,
    });
    expect(result.notMerged).toEqual([
      { path: 'docs/outside.md', reason: 'symlink' },
      { path: 'docs/service.md', reason: 'symlink' },
    ]);
    expect(result.keptEdited).toEqual(['docs/gone.md']);
    expect(result.plan).toEqual({ create: [], update: [], unchanged: [], conflicts: [], remove: [] });
    expect(result.manifest).toEqual({});
    expect(readlinkSync(join(root, 'docs/service.md'))).toBe('../README.md');
  });

  it('merges CRLF files as LF and writes CRLF back: line endings alone are no change', async () => {
    const crlf = (text: string) => text.replaceAll('\n', '\r\n');
    const root = projectWith({
      'unedited.md': crlf('a\nb\n'),
      'edited.md': crlf('a\nmine\nc\nd\n'),
      'conflict.md': crlf('a\nmine\n'),
      'current.md': crlf('new\n'),
      'mixed.md': 'a\r\nmine\nc\nd\n',
      'gone.md': crlf('gone\n'),
    });
    const result = await planThreeWay({
      root,
      base: new Map([
        ['unedited.md', b('a\nb\n')],
        ['edited.md', b('a\nb\nc\nd\n')],
        ['conflict.md', b('a\nb\n')],
        ['current.md', b('old\n')],
        ['mixed.md', b('a\nb\nc\nd\n')],
        ['gone.md', b('gone\n')],
      ]),
      theirs: new Map([
        ['unedited.md', b('a\nB\n')],
        ['edited.md', b('a\nb\nc\nD\n')],
        ['conflict.md', b('a\ntheirs\n')],
        ['current.md', b('new\n')],
        ['mixed.md', b('a\nb\nc\nD\n')],
      ]),
      labels: LABELS,
    });
    expect(result.updated).toEqual(['unedited.md']);
    expect(result.merged).toEqual(['edited.md', 'mixed.md']);
    expect(result.conflicts).toEqual([{ path: 'conflict.md', hunks: 1 }]);
    expect(result.removed).toEqual(['gone.md']);
    expect(result.plan.unchanged).toEqual(['current.md']);
    const written = Object.fromEntries(result.plan.update.map((file) => [file.path, file.contents.toString('utf8')]));
    expect(written).toEqual({
      'unedited.md': 'a\r\nB\r\n',
      'edited.md': 'a\r\nmine\r\nc\r\nD\r\n',
      'conflict.md': '<<<<<<< yours\r\nmine\r\n||||||| old\r\nb\r\n=======\r\ntheirs\r\n>>>>>>> new\r\n'.replace(/^/, 'a\r\n'),
      // Not CRLF throughout: merged and written as LF.
      'mixed.md': 'a\nmine\nc\nD\n',
    });
  });

  it('records what is on disk from the generator\'s side; a base file the last run did not write is new, not deleted by the user', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]);
    const root = projectWith({ 'logo.png': png, 'kept.md': 'same\n', 'edited.md': 'a\nb\nc\nmine\n' });
    mkdirSync(join(root, 'dir.md'));
    const base = new Map([
      ['logo.png', b('old\n')],
      ['dir.md', b('old\n')],
      ['deleted.md', b('old\n')],
      ['kept.md', b('same\n')],
      ['edited.md', b('a\nb\nc\nd\n')],
      ['never-written.md', b('old\n')],
    ]);
    const theirs = new Map([
      ['logo.png', b('new\n')],
      ['dir.md', b('new\n')],
      ['deleted.md', b('new\n')],
      ['kept.md', b('same\n')],
      ['edited.md', b('A\nb\nc\nd\n')],
      ['never-written.md', b('new\n')],
    ]);
    const recorded = Object.fromEntries([...base].filter(([path]) => path !== 'never-written.md').map(([path, contents]) => [path, sha256(contents)]));
    const result = await planThreeWay({ root, base, theirs, recorded, labels: LABELS });
    expect(result.notMerged).toEqual([
      { path: 'dir.md', reason: 'not-a-file' },
      { path: 'logo.png', reason: 'binary' },
    ]);
    expect(result.deletedButChanged).toEqual(['deleted.md']);
    expect(result.added).toEqual(['never-written.md']);
    expect(result.merged).toEqual(['edited.md']);
    expect(result.manifest).toEqual({
      // Yours kept against the base, or deleted from it: the base.
      'logo.png': sha256(b('old\n')),
      'deleted.md': sha256(b('old\n')),
      'kept.md': sha256(b('same\n')),
      'edited.md': sha256(b('A\nb\nc\nd\n')),
      'never-written.md': sha256(b('new\n')),
    });
    // Without a recorded manifest (a project from before manifests), every base file counts as written.
    const legacy = await planThreeWay({ root, base, theirs, labels: LABELS });
    expect(legacy.added).toEqual([]);
    expect(legacy.deletedButChanged).toEqual(['deleted.md', 'never-written.md']);
  });

  it('refuses to write through a symbolic link that leads outside the project', async () => {
    const root = projectWith({});
    const outside = workspace();
    symlinkSync(outside, join(root, 'docs'));
    await expect(planThreeWay({ root, base: new Map(), theirs: new Map([['docs/x.md', b('x\n')]]), labels: LABELS })).rejects.toThrow(
      `docs is a symbolic link to ${outside}, outside the project; refusing to write through it. Replace it with a directory or file inside the project.`,
    );
  });
});

describe('migrations', () => {
  const list: Migration[] = [
    { version: '0.2.0', steps: [{ kind: 'move-file', from: 'a.md', to: 'b.md' }] },
    { version: '0.3.0', steps: [{ kind: 'rename-option', from: 'store', to: 'cache', values: { memcached: 'redis' } }] },
    { version: '0.4.0', steps: [{ kind: 'move-file', from: 'b.md', to: 'docs/c.md' }] },
  ];

  it('applies the steps of the versions after the recorded one up to the running one, in order', () => {
    expect(stepsBetween(list, '0.1.0', '0.2.0')).toEqual([{ kind: 'move-file', from: 'a.md', to: 'b.md' }]);
    expect(stepsBetween(list, '0.2.0', '0.3.5').map((step) => step.kind)).toEqual(['rename-option']);
    expect(stepsBetween(list, '0.4.0', '0.5.0')).toEqual([]);
  });

  it('moves a renamed option\'s value (with its new spelling) and its place in the defaults list', () => {
    const steps = stepsBetween(list, '0.1.0', '0.4.0');
    expect(migrateAnswers({ name: 'svc', store: 'memcached', defaults: ['store', 'ci'] }, steps, 'defaults')).toEqual({ name: 'svc', cache: 'redis', defaults: ['cache', 'ci'] });
    expect(migrateAnswers({ name: 'svc', defaults: [] }, steps, 'defaults')).toEqual({ name: 'svc', defaults: [] });
  });

  it('composes moves: a file moved twice goes straight to its last place', () => {
    expect([...fileMoves(stepsBetween(list, '0.1.0', '0.4.0'))]).toEqual([
      ['a.md', 'docs/c.md'],
      ['b.md', 'docs/c.md'],
    ]);
  });
});

describe('add/remove features', () => {
  it('are every yes/no option by its flag and every choice of an option with "none", unique', () => {
    const toggles = featureToggles();
    expect(toggles.map((toggle) => [toggle.name, toggleFlag(toggle, toggle.on), toggleFlag(toggle, toggle.off)])).toEqual([
      ['postgres', '--database postgres', '--database none'],
      ['redis', '--cache redis', '--cache none'],
      ['github', '--ci github', '--ci none'],
      ['gitlab', '--ci gitlab', '--ci none'],
      ['observability', '--observability', '--no-observability'],
      ['tracing', '--tracing', '--no-tracing'],
      ['sentry', '--sentry', '--no-sentry'],
      ['backup', '--backup', '--no-backup'],
      ['load-test', '--load-test', '--no-load-test'],
    ]);
    const booleans = options.filter((option) => option.type === 'boolean').map((option) => option.flag);
    expect(booleans.every((flag) => toggles.some((toggle) => toggle.name === flag))).toBe(true);
  });

  it('a name given by two options is a defect of the model', () => {
    const sentry = options.find((option) => option.name === 'sentry');
    if (!sentry) throw new Error('no sentry option');
    expect(() => featureToggles([...options, { ...sentry, name: 'tracing' }])).toThrow('Two options give add/remove the feature name "sentry"');
  });
});
