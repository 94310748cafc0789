#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import { existsSync } from 'node:fs';
import process from 'node:process';

enableCompileCache?.();
const [major, minor] = process.versions.node.split('.').map(Number);
const supported = (major === 22 && minor >= 18) || (major === 24 && minor >= 11) || major >= 25;
if (!supported) {
  process.stderr.write(`create-prodready-app needs Node.js ^22.18.0 or >=24.11.0; this is ${process.versions.node}.\n`);
  process.exit(1);
}

let interrupted = false;
process.on('SIGINT', () => {
  // Files are written in one synchronous step, so stopping here never leaves a half-written project.
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('\nInterrupted: nothing more will be written.\n');
  process.exit(130);
});

// The published package runs the bundle in dist/; a git checkout runs the TypeScript sources directly.
const compiled = new URL('../dist/cli.js', import.meta.url);
const { main } = await import(existsSync(compiled) ? compiled : new URL('../generators/app/cli.ts', import.meta.url));
process.exitCode = await main(process.argv.slice(2), { cwd: process.cwd(), stdinIsTTY: process.stdin.isTTY === true });
