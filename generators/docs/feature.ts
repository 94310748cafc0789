/**
 * Project documents built from what every feature contributes: documentation
 * pages from the docs slot, and architecture decision records (MADR 4.0) with
 * their index from the adrs slot.
 */
import type { Feature } from '../core/feature.ts';
import { adrsSlot, docsSlot, type Adr, type DocSection } from '../core/slots.ts';

/** Pages features may contribute sections to, with their title and opening paragraph. */
export const DOC_PAGES: Readonly<Record<string, { title: string; intro: string }>> = {
  'docs/deployment.md': {
    title: 'Deployment',
    intro: 'How the service is deployed to Kubernetes, rolled out, rolled back and scaled.',
  },
  'docs/disaster-recovery.md': {
    title: 'Disaster recovery',
    intro: 'How the database is backed up, how backups are proven restorable, and how to restore one: the objectives, the procedure, and the keys.',
  },
};

const ADR_DIRECTORY = 'docs/adr';

/** "0001-kustomize-overlays.md": ADRs are numbered in index order. */
export function adrFileName(adr: Adr, index: number): string {
  return `${String(index + 1).padStart(4, '0')}-${adr.slug}.md`;
}

const bullets = (items: readonly string[]) => items.map((item) => `- ${item}`).join('\n');

/** One ADR in MADR 4.0 form (front matter, context, drivers, options, outcome, consequences, confirmation, pros and cons). */
export function renderAdr(adr: Adr, decisionMakers: string): string {
  if (adr.options.length < 2) throw new Error(`ADR ${adr.slug} considers ${adr.options.length} option(s); MADR needs at least two`);
  if (!adr.options.some((option) => option.title === adr.outcome.chosen)) throw new Error(`ADR ${adr.slug} chooses "${adr.outcome.chosen}", which is not one of its options`);
  const lines = [
    '---',
    `status: ${adr.status}`,
    `decision-makers: ${decisionMakers}`,
    '---',
    '',
    `# ${adr.title}`,
    '',
    '## Context and Problem Statement',
    '',
    adr.context,
    '',
    '## Decision Drivers',
    '',
    bullets(adr.drivers),
    '',
    '## Considered Options',
    '',
    bullets(adr.options.map((option) => option.title)),
    '',
    '## Decision Outcome',
    '',
    `Chosen option: "${adr.outcome.chosen}", because ${adr.outcome.because}`,
    '',
    '### Consequences',
    '',
    bullets([...adr.consequences.good.map((item) => `Good, because ${lowerFirst(item)}`), ...adr.consequences.bad.map((item) => `Bad, because ${lowerFirst(item)}`)]),
    '',
    '### Confirmation',
    '',
    adr.confirmation,
    '',
    '## Pros and Cons of the Options',
  ];
  for (const option of adr.options) {
    lines.push('', `### ${option.title}`, '');
    if (option.description) lines.push(option.description, '');
    lines.push(bullets([...option.pros.map((item) => `Good, because ${lowerFirst(item)}`), ...option.cons.map((item) => `Bad, because ${lowerFirst(item)}`)]));
  }
  return `${lines.join('\n')}\n`;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function renderAdrIndex(adrs: readonly Adr[]): string {
  const rows = adrs.map((adr, index) => `| [${String(index + 1).padStart(4, '0')}](${adrFileName(adr, index)}) | ${adr.title} | ${adr.status} |`);
  return [
    '# Architecture decision records',
    '',
    'Each decision the generated project was made with, in [MADR 4.0](https://adr.github.io/madr/) form. Add new ones with the next number; supersede rather than edit an accepted decision.',
    '',
    '| ADR | Decision | Status |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function renderPage(page: string, sections: readonly DocSection[]): string {
  const known = DOC_PAGES[page];
  if (!known) throw new Error(`Documentation page ${page} has sections but no title: add it to DOC_PAGES in generators/docs/feature.ts`);
  const parts = [`# ${known.title}`, '', known.intro];
  for (const section of sections) parts.push('', `## ${section.title}`, '', section.body.trim());
  return `${parts.join('\n')}\n`;
}

export const docsFeature: Feature = {
  name: 'docs',
  summary: 'Documentation pages from the features\' sections, and MADR 4.0 decision records with their index.',
  applies: () => true,
  reads: [docsSlot, adrsSlot],
  files: (facts, assembled) => {
    const files: Record<string, string> = {};
    const sections = assembled.get(docsSlot);
    for (const page of [...new Set(sections.map((section) => section.page))]) {
      files[page] = renderPage(
        page,
        sections.filter((section) => section.page === page),
      );
    }
    const adrs = assembled.get(adrsSlot);
    if (adrs.length > 0) {
      adrs.forEach((adr, index) => (files[`${ADR_DIRECTORY}/${adrFileName(adr, index)}`] = renderAdr(adr, `the ${facts.title} maintainers`)));
      files[`${ADR_DIRECTORY}/README.md`] = renderAdrIndex(adrs);
    }
    return files;
  },
};
