/**
 * The project documents agree with the files they describe:
 * - every checked item of docs/security-checklist.md links a file that is
 *   generated, and every unchecked item names who does it ("manual step for");
 * - every decision record in docs/adr/ has the MADR 4.0 sections
 *   (front matter with status, Context and Problem Statement, Decision
 *   Drivers, Considered Options with at least two, Decision Outcome,
 *   Consequences, Confirmation, Pros and Cons of the Options);
 * - docs/adr/README.md lists exactly the ADR files, in number order.
 *
 *   node matrix/checks/documents-consistency.ts <project-dir>
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Check, Finding } from '../check.ts';
import { runStandalone } from '../support/direct-run.ts';

const CHECKLIST = 'docs/security-checklist.md';
const ADR_DIRECTORY = 'docs/adr';
const MADR_SECTIONS = [
  '## Context and Problem Statement',
  '## Decision Drivers',
  '## Considered Options',
  '## Decision Outcome',
  '### Consequences',
  '### Confirmation',
  '## Pros and Cons of the Options',
];

/** Findings for the checklist's items: `root` is the project, `text` the page. */
export function checklistFindings(root: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const item = /^- \[( |x)\] (.*)$/.exec(line);
    if (!item) continue;
    const where = `line ${index + 1}`;
    if (item[1] === 'x') {
      const link = /implemented in \[[^\]]*\]\(\.\.\/([^)#]+)\)\)$/.exec(item[2] as string);
      if (!link) findings.push({ file: CHECKLIST, message: `${where}: a checked item links no implementing file` });
      else if (!existsSync(join(root, link[1] as string))) findings.push({ file: CHECKLIST, message: `${where}: ${link[1] as string} is not generated` });
    } else if (!/manual step for .+\)$/.test(item[2] as string)) {
      findings.push({ file: CHECKLIST, message: `${where}: an unchecked item names no one who does it` });
    }
  }
  return findings;
}

/** Findings for one MADR file. */
export function adrFindings(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  if (!/^---\nstatus: (proposed|accepted|rejected|deprecated|superseded)\n/.test(text)) findings.push({ file, message: 'no front matter with a MADR status' });
  let position = -1;
  for (const section of MADR_SECTIONS) {
    const at = text.split('\n').indexOf(section);
    if (at < 0) findings.push({ file, message: `missing section "${section}"` });
    else if (at < position) findings.push({ file, message: `section "${section}" is out of order` });
    else position = at;
  }
  const options = /## Considered Options\n\n((?:- .*\n)+)/.exec(text);
  if ((options?.[1]?.trim().split('\n').length ?? 0) < 2) findings.push({ file, message: 'fewer than two considered options' });
  return findings;
}

const check: Check = {
  name: 'documents-consistency',
  inputs: [CHECKLIST, `${ADR_DIRECTORY}/*.md`],
  presence: ['**'],
  appliesTo: [CHECKLIST, `${ADR_DIRECTORY}/*.md`],
  tool: async () => 'documents-consistency (built in)',
  async run(directory) {
    const findings: Finding[] = [];
    if (existsSync(join(directory, CHECKLIST))) findings.push(...checklistFindings(directory, readFileSync(join(directory, CHECKLIST), 'utf8')));
    const adrDirectory = join(directory, ADR_DIRECTORY);
    if (existsSync(adrDirectory)) {
      const records = readdirSync(adrDirectory).filter((name) => /^\d{4}-.+\.md$/.test(name)).sort();
      for (const name of records) findings.push(...adrFindings(`${ADR_DIRECTORY}/${name}`, readFileSync(join(adrDirectory, name), 'utf8')));
      const index = existsSync(join(adrDirectory, 'README.md')) ? readFileSync(join(adrDirectory, 'README.md'), 'utf8') : '';
      const listed = [...index.matchAll(/\]\((\d{4}-[^)]+\.md)\)/g)].map((match) => match[1] as string);
      if (JSON.stringify(listed) !== JSON.stringify(records)) {
        findings.push({ file: `${ADR_DIRECTORY}/README.md`, message: `lists ${listed.join(', ') || 'nothing'}; the ADR files are ${records.join(', ') || 'none'}` });
      }
    }
    return findings;
  },
};

export default check;

if (import.meta.main) await runStandalone(check);
