/** The files every generated project has: README, LICENSE, editor and git settings, package.json basics. */
import { createRequire } from 'node:module';
import type { Facts } from '../core/facts.ts';
import type { Feature } from '../core/feature.ts';
import { PRETTIER_OPTIONS } from '../core/prettier-options.ts';
import { adrsSlot, commandsSlot, docsSlot, gitignoreSlot, packageJsonSlot, readmeSlot, type PackageJsonParts } from '../core/slots.ts';
import { licenseAdr } from './adr.ts';
import versions from '../core/versions.json' with { type: 'json' };

const require = createRequire(import.meta.url);

/** One license from the spdx-license-list package (one small file instead of the whole list). */
function spdxLicense(id: string): string {
  return (require(`spdx-license-list/licenses/${id}.json`) as { licenseText: string }).licenseText;
}

/** The license text from the SPDX list, with its copyright placeholders filled in. */
export function licenseText(facts: Facts): string {
  const holder = `The ${facts.name} Authors`;
  if (facts.isProprietary) {
    return `Copyright (c) ${holder}. All rights reserved.\n\nThis software is proprietary and confidential. No license is granted to copy, modify or distribute it without written permission of the copyright holders.\n`;
  }
  const text = spdxLicense(facts.license)
    .replace('Copyright (c) <year> <copyright holders>', `Copyright (c) ${holder}`)
    .replace('Copyright (c) <year> <owner>.', `Copyright (c) ${holder}.`);
  return `${text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim()}\n`;
}

/** package.json from every feature's parts: fields first, then scripts and dependencies. */
export function packageJson(parts: PackageJsonParts): Record<string, unknown> {
  const result: Record<string, unknown> = { ...parts.fields };
  if (Object.keys(parts.scripts).length > 0) result.scripts = parts.scripts;
  if (Object.keys(parts.dependencies).length > 0) result.dependencies = parts.dependencies;
  if (Object.keys(parts.devDependencies).length > 0) result.devDependencies = parts.devDependencies;
  return result;
}

export const repoFeature: Feature = {
  name: 'repo',
  summary: 'README, LICENSE, CONTRIBUTING, CODE_OF_CONDUCT, SECURITY, CHANGELOG, package.json, .gitignore, .gitattributes, .editorconfig, .nvmrc, .prettierrc.json and .markdownlint-cli2.jsonc.',
  applies: () => true,
  reads: [packageJsonSlot, commandsSlot, readmeSlot, gitignoreSlot],
  contribute: ({ facts, part }) => [
    packageJsonSlot.of({
      fields: {
        name: facts.name,
        version: '0.1.0',
        description: facts.description,
        ...(facts.isProprietary ? { private: true } : {}),
        license: facts.license,
        type: 'module',
        engines: { node: versions.node.engines },
      },
      scripts: { format: 'prettier --write .', 'format:check': 'prettier --check .' },
      devDependencies: { prettier: versions.npm.prettier },
    }),
    commandsSlot.of(
      { script: 'format', description: 'Format every file with Prettier.' },
      { script: 'format:check', description: 'Check formatting (CI runs this).' },
    ),
    gitignoreSlot.of('node_modules/', 'dist/', 'coverage/', '.env', '.env.*', '!.env.example', '*.log', '.DS_Store'),
    readmeSlot.of({ title: 'Project documents', order: 90, body: part('readme-documents.md') }),
    adrsSlot.of(licenseAdr(facts)),
    docsSlot.of({
      page: 'docs/security-checklist.md',
      title: 'Go-live: contacts',
      order: 30,
      body: part('go-live-contacts.md'),
    }),
  ],
  files: (facts, assembled) => ({
    LICENSE: licenseText(facts),
    '.prettierrc.json': `${JSON.stringify(PRETTIER_OPTIONS, null, 2)}\n`,
    'package.json': `${JSON.stringify(packageJson(assembled.get(packageJsonSlot)), null, 2)}\n`,
  }),
};
