/** --help, generated from the option model and the run controls. */
import { controls } from './argv.ts';
import { options, type OptionDeclaration, type OptionGroup } from './options.ts';

const GROUPS: readonly OptionGroup[] = ['Project', 'Stack', 'Delivery', 'Operations'];

export function defaultText(declaration: OptionDeclaration): string {
  if (declaration.defaultText) return declaration.defaultText;
  const value = declaration.default;
  if (declaration.type === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

function usageOf(declaration: OptionDeclaration): string {
  if (declaration.type === 'boolean') return `--${declaration.flag}, --no-${declaration.flag}`;
  if (declaration.choices && !declaration.allowCustom) return `--${declaration.flag} <${declaration.choices.map((choice) => choice.value).join('|')}>`;
  return `--${declaration.flag} <${declaration.type === 'number' ? 'number' : 'value'}>`;
}

/** " (not generated yet: ...)" for an option or choice that generates nothing yet. */
export function plannedText(planned: string | undefined): string {
  return planned ? ` (${planned})` : '';
}

function requirementText(declaration: OptionDeclaration): string {
  const requires = Object.entries(declaration.requires ?? {});
  return requires.length === 0 ? '' : ` Needs ${requires.map(([name, value]) => `${name} ${String(value)}`).join(' and ')}.`;
}

export function helpText(version: string): string {
  const lines: string[] = [
    `create-prodready-app ${version}`,
    'Writes a production-ready TypeScript service: app, container, CI/CD, Kubernetes, monitoring, backups and docs.',
    '',
    'Usage: create-prodready-app [directory] [options]',
    '       npm create prodready-app@latest [directory] -- [options]',
    '',
    'Without a TTY, or with --yes, every option not given takes its default and nothing is asked.',
    '',
    'The directory is resolved against the current directory with symbolic links followed; it may be anywhere you can write',
    '(., ../x, an absolute path) and is created if missing, never replaced. Nothing is written outside it. Without a directory,',
    'the project goes to ./<name>, or into the current directory when that is a project this generator made.',
  ];
  for (const group of GROUPS) {
    lines.push('', `${group}:`);
    for (const declaration of options.filter((option) => option.group === group)) {
      lines.push(`  ${usageOf(declaration)}`);
      lines.push(`      ${declaration.help}${plannedText(declaration.planned)}${requirementText(declaration)} [default: ${defaultText(declaration)}]`);
      for (const choice of declaration.choices ?? []) lines.push(`        ${choice.value.padEnd(12)} ${choice.description}${plannedText(choice.planned)}`);
    }
  }
  lines.push('', 'Run controls (not saved):');
  for (const control of controls) {
    const usage = `${control.alias ? `-${control.alias}, ` : ''}--${control.flag}${control.takesValue ? ` <${control.takesValue}>` : ''}`;
    lines.push(`  ${usage.padEnd(26)} ${control.help}`);
  }
  lines.push(
    '',
    'Commands (upgrade, add and remove run inside a generated project; each has --help):',
    '  upgrade [--from <path>]      Merge this version into the project: your edits stay, conflicts are marked',
    '  add <feature>                Add a feature (redis, sentry, ...) and merge it into the project',
    '  remove <feature>             Remove a feature the same way',
    '  completion <bash|zsh|fish>   Print a shell completion script, e.g. source <(create-prodready-app completion bash)',
  );
  lines.push('', 'Examples:', '  npx create-prodready-app orders-api', '  npx create-prodready-app orders-api --yes --database none --ci gitlab --deploy compose', '');
  return lines.join('\n');
}
