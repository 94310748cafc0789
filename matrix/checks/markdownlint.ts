/**
 * Every generated Markdown file passes markdownlint with the project's own
 * settings (.markdownlint-cli2.jsonc, a shared file of every unit): any
 * finding fails. markdownlint-cli2 runs in process, once per unit directory,
 * as `npx markdownlint-cli2 <files>` would in the generated project.
 *
 *   node matrix/checks/markdownlint.ts <project-dir>
 */
import { main as markdownlintCli2 } from 'markdownlint-cli2';
import type { Check, Finding } from '../check.ts';
import { checkedFiles, packageVersion } from '../check-helpers.ts';
import { runStandalone } from '../support/direct-run.ts';

/** "docs/api.md:3:1 error MD022/blanks-around-headings ..." → the file and the message. */
const RESULT_LINE = /^(.+?\.md):(\d+)(?::\d+)? (?:error |warning )?(.*)$/;

const check: Check = {
  name: 'markdownlint',
  inputs: ['**/*.md'],
  shared: ['.markdownlint-cli2.jsonc'],
  granularity: 'file',
  batch: 200,
  tool: async () => `markdownlint-cli2 ${packageVersion('markdownlint-cli2')}`,
  async run(directory, context) {
    const byRoot = new Map<string, { unit: string; files: string[] }>();
    // The runner lays batched units out as "0/", "1/", ...; a direct run has one project at the top.
    const batched = (context.files ?? []).every((file) => /^\d+\//.test(file));
    for (const { file, root, projectPath } of checkedFiles(directory, context, batched)) {
      const unit = file.slice(0, file.length - projectPath.length);
      const entry = byRoot.get(root) ?? { unit, files: [] };
      entry.files.push(projectPath);
      byRoot.set(root, entry);
    }
    const findings: Finding[] = [];
    for (const [root, { unit, files }] of byRoot) {
      const errors: string[] = [];
      // Literal file names (":" prefix): no globbing, exactly the checked files.
      const code = await markdownlintCli2({ directory: root, argv: files.map((file) => `:${file}`), logMessage: () => {}, logError: (line: string) => errors.push(line), noImport: true });
      for (const line of errors) {
        const match = RESULT_LINE.exec(line);
        if (match) findings.push({ file: `${unit}${match[1] as string}`, message: `line ${match[2] as string}: ${match[3] as string}` });
      }
      if (code !== 0 && errors.every((line) => !RESULT_LINE.test(line))) throw new Error(`markdownlint-cli2 exited ${code} without findings: ${errors.join('\n')}`);
    }
    return findings;
  },
};

export default check;

if (import.meta.main) await runStandalone(check);
