/**
 * Project documents built from what every feature contributes: documentation
 * pages from the docs slot, and architecture decision records (MADR 4.0) with
 * their index from the adrs slot.
 */
import type { Feature } from '../core/feature.ts';
import type { Facts } from '../core/facts.ts';
import { ASVS_LEVEL_2 } from './asvs.ts';
import { adrsSlot, checklistSlot, docsSlot, envSlot, type Adr, type ChecklistItem, type DocSection, type EnvVar, type OwaspTop10Category } from '../core/slots.ts';

/** Pages features may contribute sections to, with their title and opening paragraph. */
export const DOC_PAGES: Readonly<Record<string, { title: string; intro: string }>> = {
  'docs/deployment.md': {
    title: 'Deployment',
    intro: 'How the service is deployed to Kubernetes, rolled out, rolled back and scaled.',
  },
  'docs/api.md': {
    title: 'API versioning and deprecation',
    intro: 'How the HTTP API is versioned, what counts as a breaking change, and how routes are retired.',
  },
  'docs/performance.md': {
    title: 'Performance and load tests',
    intro: 'How to run the k6 load tests in load-tests/, locally and on a schedule in CI, and how to keep a baseline to compare against.',
  },
  'docs/operations.md': {
    title: 'Operations',
    intro: 'How the service is run in production: its objective, what alerts whom, the on-call steps and the procedures.',
  },
  'docs/disaster-recovery.md': {
    title: 'Disaster recovery',
    intro: 'How the database is backed up, how backups are proven restorable, and how to restore one: the objectives, the procedure, and the keys.',
  },
};

/** The page built from the checklist slot; docs-slot sections for it form its go-live part. */
export const SECURITY_CHECKLIST_PAGE = 'docs/security-checklist.md';

/** OWASP Top 10:2025 category names (https://owasp.org/Top10/2025/). */
export const OWASP_TOP_10_2025: Readonly<Record<OwaspTop10Category, string>> = {
  A01: 'Broken Access Control',
  A02: 'Security Misconfiguration',
  A03: 'Software Supply Chain Failures',
  A04: 'Cryptographic Failures',
  A05: 'Injection',
  A06: 'Insecure Design',
  A07: 'Authentication Failures',
  A08: 'Software or Data Integrity Failures',
  A09: 'Security Logging and Alerting Failures',
  A10: 'Mishandling of Exceptional Conditions',
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

/** One checklist line: done items link the file that implements them (relative to docs/), manual ones name who does them. */
function checklistLine(item: ChecklistItem): string {
  const unknown = item.asvs.filter((id) => !(id in ASVS_LEVEL_2));
  if (unknown.length > 0) throw new Error(`Checklist item ${item.id} cites ${unknown.join(', ')}, which generators/docs/asvs.ts does not list as an ASVS 5.0 level 1 or 2 requirement`);
  const asvs = item.asvs.length > 0 ? `ASVS ${item.asvs.join(', ')}; ` : '';
  if ('file' in item.implementedBy) return `- [x] ${item.text} (${asvs}implemented in [\`${item.implementedBy.file}\`](../${item.implementedBy.file}))`;
  return `- [ ] ${item.text} (${asvs}manual step for ${item.implementedBy.manual})`;
}

/**
 * docs/security-checklist.md: the checklist items under their OWASP Top
 * 10:2025 category (every category is listed, empty ones say so), then the
 * go-live values: the secret variables from the env slot and the sections
 * features contributed for this page.
 */
export function renderSecurityChecklist(facts: Facts, items: readonly ChecklistItem[], secrets: readonly EnvVar[], goLive: readonly DocSection[]): string {
  const parts = [
    '# Security checklist',
    '',
    `What ${facts.title} does about each [OWASP Top 10:2025](https://owasp.org/Top10/2025/) category, with the [OWASP ASVS 5.0](https://github.com/OWASP/ASVS/tree/v5.0.0) level 2 requirements each item covers. Checked items are implemented by the linked file; unchecked items are manual steps, with who does them. Review the list before every release and keep it true.`,
  ];
  for (const [category, name] of Object.entries(OWASP_TOP_10_2025)) {
    const inCategory = items.filter((item) => item.category === category);
    parts.push('', `## ${category}:2025 ${name}`, '');
    parts.push(inCategory.length > 0 ? inCategory.map(checklistLine).join('\n') : 'No control of this project addresses this category yet; assess it for your own code and deployment.');
  }
  parts.push('', '## Go-live', '', 'Values that must be set before the first production deploy. Nothing below has a working default.');
  parts.push('', '### Go-live: secrets', '');
  parts.push(
    secrets.length > 0
      ? secrets.map((variable) => `- \`${variable.name}\`: ${variable.description}`).join('\n')
      : 'The service reads no secret; if one is added, declare it as a secret so it is listed here.',
  );
  for (const section of goLive) parts.push('', `### ${section.title}`, '', section.body.trim());
  return `${parts.join('\n')}\n`;
}

export const docsFeature: Feature = {
  name: 'docs',
  summary: 'Documentation pages from the features\' sections, and MADR 4.0 decision records with their index.',
  applies: () => true,
  reads: [docsSlot, adrsSlot, checklistSlot, envSlot],
  files: (facts, assembled) => {
    const files: Record<string, string> = {};
    const allSections = assembled.get(docsSlot);
    const sections = allSections.filter((section) => section.page !== SECURITY_CHECKLIST_PAGE);
    const checklist = assembled.get(checklistSlot);
    if (checklist.length > 0) {
      files[SECURITY_CHECKLIST_PAGE] = renderSecurityChecklist(
        facts,
        checklist,
        assembled.get(envSlot).filter((variable) => variable.secret),
        allSections.filter((section) => section.page === SECURITY_CHECKLIST_PAGE),
      );
    }
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
