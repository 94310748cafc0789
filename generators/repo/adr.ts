/** The decision --license made, as a MADR 4.0 record. */
import type { Facts } from '../core/facts.ts';
import type { Adr, AdrOption } from '../core/slots.ts';

const LICENSE_OPTIONS: Readonly<Record<string, AdrOption>> = {
  MIT: {
    title: 'MIT',
    pros: ['Short and permissive; the most widely used open-source license.', 'Compatible with almost every other license.'],
    cons: ['No explicit patent grant.', 'Anyone may ship changes without sharing them.'],
  },
  'Apache-2.0': {
    title: 'Apache-2.0',
    pros: ['Permissive with an explicit patent grant and patent retaliation clause.', 'Preferred by many companies for contributions.'],
    cons: ['Longer; changed files must carry notices.', 'Incompatible with GPL-2.0-only code.'],
  },
  'BSD-3-Clause': {
    title: 'BSD-3-Clause',
    pros: ['Short and permissive; forbids using the authors\' names to endorse derived works.'],
    cons: ['No explicit patent grant.'],
  },
  'MPL-2.0': {
    title: 'MPL-2.0',
    pros: ['File-level copyleft: changes to the project\'s files stay open, while it can be combined with proprietary code.', 'Explicit patent grant.'],
    cons: ['Distributors must publish changes to covered files.'],
  },
  UNLICENSED: {
    title: 'Proprietary (UNLICENSED)',
    pros: ['All rights stay with the owners; nothing may be used without permission.'],
    cons: ['No outside contributions or reuse without separate agreements.'],
  },
};

/** The license record: the chosen license and the most common alternatives. */
export function licenseAdr(facts: Facts): Adr {
  const chosen = LICENSE_OPTIONS[facts.license];
  if (!chosen) throw new Error(`No decision record text for license ${facts.license}`);
  const alternatives = (facts.isProprietary ? ['MIT', 'Apache-2.0'] : facts.license === 'MIT' ? ['Apache-2.0', 'UNLICENSED'] : ['MIT', 'UNLICENSED']).map((id) => LICENSE_OPTIONS[id] as AdrOption);
  return {
    slug: 'license',
    title: facts.isProprietary ? 'Keep the source proprietary' : `License the source under ${facts.license}`,
    status: 'accepted',
    order: 30,
    context: `The source code of ${facts.title} needs a license that says who may use, change and distribute it, and on which terms contributions are accepted.`,
    drivers: ['Who may use and redistribute the code.', 'Protection against patent claims.', 'Whether outside contributions are wanted.'],
    options: [chosen, ...alternatives],
    outcome: {
      chosen: chosen.title,
      because: facts.isProprietary
        ? 'the code is not meant to be used or redistributed outside its owners.'
        : `its terms match how ${facts.title} is meant to be shared and reused.`,
    },
    consequences: {
      good: facts.isProprietary ? ['The package is marked private, so it cannot be published to a registry by mistake.'] : ['Contributors know the terms their contributions are made under (CONTRIBUTING.md).'],
      bad: ['Changing the license later needs the agreement of every copyright holder.'],
    },
    confirmation: `\`LICENSE\` holds the full text and \`package.json\` the SPDX identifier \`${facts.license}\`; review the licenses of new dependencies for compatibility in every pull request.`,
  };
}
