#!/usr/bin/env node
// This file is linked by whatever Node.js the user has, so before the version
// check it may only use syntax and APIs that Node.js 18 links and runs: no
// named imports of newer exports (enableCompileCache), no static import of the
// CLI. Everything else is imported dynamically once the version is known good.
import process from 'node:process';

const [major, minor] = process.versions.node.split('.').map(Number);
const supported = (major === 22 && minor >= 18) || (major === 24 && minor >= 11) || major >= 25;
if (!supported) {
  process.stderr.write(`create-prodready-app needs Node.js ^22.18.0 || >=24.11.0; this is ${process.versions.node}.\n`);
  process.exit(1);
}

const [{ default: nodeModule }, { existsSync }] = await Promise.all([import('node:module'), import('node:fs')]);
nodeModule.enableCompileCache?.();

// While the CLI loads nothing has been written; once loaded, the CLI replaces this handler with one that says what is done.
process.once('SIGINT', () => {
  process.stderr.write('\nCancelled: nothing was written.\n');
  process.exit(130);
});

// The published package runs the bundle in dist/; a git checkout runs the TypeScript sources directly.
const compiled = new URL('../dist/cli.js', import.meta.url);
const { main } = await import(existsSync(compiled) ? compiled : new URL('../generators/app/cli.ts', import.meta.url));
process.exitCode = await main(process.argv.slice(2), { cwd: process.cwd(), stdinIsTTY: process.stdin.isTTY === true });
