/** Each option's effect on the written files and on .yo-rc.json, and determinism. */
import { describe, expect, it } from 'vitest';
import { renderProject } from '../generators/app/render.ts';
import { defaultValue, options, type AnswerValue, type OptionDeclaration, type PartialAnswers } from '../generators/core/options.ts';

const BASE: PartialAnswers = { name: 'orders-api' };

function saved(files: Map<string, string>): Record<string, unknown> {
  return (JSON.parse(files.get('.yo-rc.json') ?? '{}') as Record<string, Record<string, unknown>>)['create-prodready-app'] ?? {};
}

/** A valid value different from the default, plus what it needs to apply. */
function alternative(option: OptionDeclaration): { value: AnswerValue; needs: PartialAnswers } {
  const needs = option.requires ?? {};
  const fallback = defaultValue(option, { ...BASE, ...needs });
  if (option.type === 'boolean') return { value: !fallback, needs };
  if (option.type === 'number') return { value: 99.5, needs };
  const other = option.choices?.find((choice) => choice.value !== fallback)?.value;
  if (other !== undefined) return { value: other, needs };
  return { value: option.name === 'name' ? 'billing-api' : option.name === 'owner' ? 'acme' : 'Bills customers every month.', needs };
}

describe('option model', () => {
  it.each(options.map((option) => [option.flag, option] as const))('--%s is saved in .yo-rc.json', async (_flag, option) => {
    const { value, needs } = alternative(option);
    const { files } = await renderProject({ ...BASE, ...needs, [option.name]: value });
    expect(saved(files)[option.name]).toBe(value);
  });

  it('saves the generator version with the answers', async () => {
    const { files } = await renderProject(BASE);
    expect(saved(files).version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('name and description shape package.json and the README', async () => {
    const { files } = await renderProject({ name: 'billing-api', description: 'Bills customers every month.' });
    const pkg = JSON.parse(files.get('package.json') as string);
    expect(pkg).toMatchObject({ name: 'billing-api', description: 'Bills customers every month.', type: 'module' });
    expect(files.get('README.md')).toMatch(/^# Billing API\n\nBills customers every month\.\n/);
  });

  it.each([
    ['MIT', /^MIT License\n\nCopyright \(c\) The orders-api Authors\n/],
    ['Apache-2.0', /^Apache License\nVersion 2\.0, January 2004/],
    ['BSD-3-Clause', /^Copyright \(c\) The orders-api Authors\.\n\nRedistribution and use in source and binary forms/],
    ['MPL-2.0', /^Mozilla Public License Version 2\.0/],
    ['UNLICENSED', /^Copyright \(c\) The orders-api Authors\. All rights reserved\./],
  ])('--license %s writes its SPDX text and package.json license', async (license, text) => {
    const { files } = await renderProject({ ...BASE, license });
    expect(files.get('LICENSE')).toMatch(text);
    expect(files.get('LICENSE')).not.toMatch(/<year>|<owner>|<copyright holders>|[ \t]+$/m);
    const pkg = JSON.parse(files.get('package.json') as string);
    expect(pkg.license).toBe(license);
    expect(pkg.private).toBe(license === 'UNLICENSED' ? true : undefined);
  });

  it('backup is off and not applicable without a database; slo falls back without monitoring', async () => {
    const { answers } = await renderProject({ ...BASE, database: 'none', observability: false });
    expect(answers).toMatchObject({ backup: false, slo: 99.9 });
  });

  it('.nvmrc pins Node 24 and package.json engines agree', async () => {
    const { files } = await renderProject(BASE);
    expect(files.get('.nvmrc')).toBe('24\n');
    expect(JSON.parse(files.get('package.json') as string).engines.node).toMatch(/^>=24\./);
  });
});

describe('determinism', () => {
  it('the same answers give byte-identical files', async () => {
    const answers = { ...BASE, database: 'postgres', cache: 'redis', tracing: true, license: 'Apache-2.0' };
    const first = await renderProject(answers);
    const second = await renderProject(answers);
    expect([...second.files.entries()]).toEqual([...first.files.entries()]);
  });

  it('files come out in sorted order with no timestamps', async () => {
    const { files } = await renderProject(BASE);
    const paths = [...files.keys()];
    expect(paths).toEqual([...paths].sort());
    for (const content of files.values()) expect(content).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
  });
});
