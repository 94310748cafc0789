import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const TOOLS = join(import.meta.dirname, '..', '..', 'matrix', 'tools');
const scripts = readdirSync(TOOLS).filter((name) => name.endsWith('.sh'));

/** The script's commands: comments and blank lines left out. */
const commandLines = (name: string) =>
  readFileSync(join(TOOLS, name), 'utf8')
    .split('\n')
    .map((line, index) => ({ line: index + 1, text: line.replace(/(^|\s)#.*$/, '').trim() }))
    .filter(({ text }) => text !== '');

describe('the tool install scripts', () => {
  it('are found', () => {
    expect(scripts).toEqual(expect.arrayContaining(['install.sh', 'lib.sh', 'container-tools.sh', 'observability-tools.sh', 'backup-tools.sh', 'gitlab-tools.sh', 'kubernetes-tools.sh']));
  });

  // They run side by side (install.sh); apt and dpkg take one caller at a time, and a second
  // one fails at once with "Could not get lock /var/lib/apt/lists/lock".
  it('call apt only through the locked install_apt_packages of lib.sh', () => {
    const unlocked = scripts
      .filter((name) => name !== 'lib.sh')
      .flatMap((name) => commandLines(name).filter(({ text }) => /\b(apt-get|apt|dpkg)\s/.test(text)).map(({ line, text }) => `${name}:${line}: ${text}`));
    expect(unlocked).toEqual([]);
  });

  it('install Python tools only through python_venv_install of lib.sh', () => {
    const direct = scripts
      .filter((name) => name !== 'lib.sh')
      .flatMap((name) => commandLines(name).filter(({ text }) => /\bpip\s+install\b|-m\s+venv\b/.test(text)).map(({ line, text }) => `${name}:${line}: ${text}`));
    expect(direct).toEqual([]);
  });
});
