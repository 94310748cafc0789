/** The files every generated project has: README, LICENSE, editor and git settings, package.json basics. */
import { createRequire } from 'node:module';
import type { Feature } from '../core/feature.ts';
import type { Answers } from '../core/options.ts';
import { PRETTIER_OPTIONS } from '../core/prettier-options.ts';
import versions from '../core/versions.json' with { type: 'json' };

const require = createRequire(import.meta.url);

/** One license from the spdx-license-list package (one small file instead of the whole list). */
function spdxLicense(id: string): string {
  return (require(`spdx-license-list/licenses/${id}.json`) as { licenseText: string }).licenseText;
}

/** The license text from the SPDX list, with its copyright placeholders filled in. */
export function licenseText(answers: Answers): string {
  const holder = `The ${answers.name} Authors`;
  if (answers.license === 'UNLICENSED') {
    return `Copyright (c) ${holder}. All rights reserved.\n\nThis software is proprietary and confidential. No license is granted to copy, modify or distribute it without written permission of the copyright holders.\n`;
  }
  const text = spdxLicense(answers.license)
    .replace('Copyright (c) <year> <copyright holders>', `Copyright (c) ${holder}`)
    .replace('Copyright (c) <year> <owner>.', `Copyright (c) ${holder}.`);
  return `${text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim()}\n`;
}

export const repoFeature: Feature = {
  name: 'repo',
  summary: 'README, LICENSE, .gitignore, .editorconfig, .nvmrc and the package.json basics.',
  applies: () => true,
  contribute: (answers) => ({
    packageJson: {
      fields: {
        name: answers.name,
        version: '0.1.0',
        description: answers.description,
        ...(answers.license === 'UNLICENSED' ? { private: true } : {}),
        license: answers.license,
        type: 'module',
        engines: { node: versions.node.engines },
      },
      scripts: { format: 'prettier --write .', 'format:check': 'prettier --check .' },
      devDependencies: { prettier: versions.npm.prettier },
    },
    commands: [
      { script: 'format', description: 'Format every file with Prettier.' },
      { script: 'format:check', description: 'Check formatting (CI runs this).' },
    ],
    gitignore: ['node_modules/', 'dist/', 'coverage/', '.env', '.env.*', '!.env.example', '*.log', '.DS_Store'],
  }),
  dataFiles: (answers) => ({ LICENSE: licenseText(answers), '.prettierrc.json': `${JSON.stringify(PRETTIER_OPTIONS, null, 2)}\n` }),
};
