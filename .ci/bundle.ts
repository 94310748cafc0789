/**
 * Bundles the CLI into one ES module for the published package. One file
 * instead of ~1,700 modules is what makes a cold start fast. Prettier is not
 * part of a run (files are written Prettier-clean by construction): the build
 * fails if any of it ends up in the bundle.
 */
import ejs from 'ejs';
import { build, type Plugin } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compileOptions, templateKey } from '../generators/core/templates.ts';
import { templatesRoot } from '../generators/core/paths.ts';

const root = join(import.meta.dirname, '..');

const PACKAGE_JSON_REQUIRE = /require\((['"])((?:\.\.?\/)+)package\.json\1\)/g;

/**
 * Dependencies that read their own package.json at run time (e.g. to report
 * their version) would read ours from inside the bundle: inline theirs.
 */
const inlineOwnPackageJson: Plugin = {
  name: 'inline-own-package-json',
  setup(context) {
    context.onLoad({ filter: /[\\/]node_modules[\\/].*\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('package.json')) return undefined;
      const contents = source.replace(PACKAGE_JSON_REQUIRE, (_match, _quote, up: string) =>
        readFileSync(resolve(dirname(args.path), up, 'package.json'), 'utf8').trim(),
      );
      return { contents, loader: 'js' };
    });
  },
};

/**
 * Every EJS template under templates/ compiled now, with the options the
 * generator uses at run time (templates.ts), replacing the empty
 * generators/core/compiled-templates.ts: a cold run then compiles no template.
 * The template files are still shipped (the generator lists them to know what
 * to write). `filename` is the path under the package, not this machine's.
 */
const precompileTemplates: Plugin = {
  name: 'precompile-templates',
  setup(context) {
    context.onLoad({ filter: /[\\/]generators[\\/]core[\\/]compiled-templates\.ts$/ }, () => {
      const sources = (readdirSync(templatesRoot, { recursive: true }) as string[]).map((path) => join(templatesRoot, path)).filter((path) => path.endsWith('.ejs')).sort();
      const entries = sources.map((source) => {
        const key = templateKey(source);
        const template = ejs.compile(readFileSync(source, 'utf8'), { ...compileOptions(`templates/${key}`), client: true });
        return `  [${JSON.stringify(key)}, (${template.toString()})],`;
      });
      return { contents: `export const precompiledTemplates = new Map([\n${entries.join('\n')}\n]);\n`, loader: 'js' };
    });
  },
};

const result = await build({
  plugins: [inlineOwnPackageJson, precompileTemplates],
  entryPoints: [join(root, 'generators/app/cli.ts')],
  outfile: join(root, 'dist/cli.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22.18',
  // Node 22 has the RegExp `v` flag; without this esbuild rewrites such literals to `new RegExp(..., 'v')`, which
  // compiles them at load (string-width's, loaded by yeoman's adapter, cost ~40 ms of a cold start) instead of on first use.
  supported: { 'regexp-set-notation': true },
  // update-notifier starts its look-up as a child process from its own check.js: it stays a module of its own.
  external: ['spdx-license-list', 'update-notifier'],
  metafile: true,
  define: { __filename: '__bundleFilename', __dirname: '__bundleDirname' },
  alias: { 'fly-import': join(root, '.ci/bundle/fly-import.ts'), 'latest-version': join(root, '.ci/bundle/latest-version.ts') },
  legalComments: 'linked',
  logLevel: 'warning',
  // CommonJS dependencies inside an ES module bundle need these.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'const require = __createRequire(import.meta.url);',
      'const __bundleFilename = __fileURLToPath(import.meta.url);',
      "const __bundleDirname = __bundleFilename.slice(0, __bundleFilename.lastIndexOf('/'));",
    ].join('\n'),
  },
});

const prettierModules = Object.keys(result.metafile.inputs).filter((path) => /(^|[\\/])node_modules[\\/]prettier[\\/]/.test(path));
if (prettierModules.length > 0) throw new Error(`dist/cli.js must not contain Prettier (generated files are Prettier-clean by construction), but bundles ${prettierModules.join(', ')}`);
