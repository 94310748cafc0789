/**
 * npm run matrix -- [options]: proves every valid option combination renders a
 * project that passes every check, and that the CLI refuses every invalid one.
 */
import { parseArgs } from 'node:util';
import { consoleSummary, defaultOutDir, writeReport } from './report.ts';
import { runMatrix } from './runner.ts';
import { buildSpace, parseFilter, parseShard } from './space.ts';

const HELP = `Usage: npm run matrix -- [options]

  --filter <expr>    Only combinations matching <expr>: comma-separated terms that
                     must all hold, each option=value, option!=value, or a substring
                     of the combination id. Repeat for "or".
  --shard <i/n>      Do shard i of n: each check's distinct inputs and the invalid
                     combinations are dealt round-robin over the shards.
  --jobs <n>         Concurrent check runs (default: available parallelism).
  --checks <a,b>     Only these checks (cli-rejects: the CLI refusing invalid combinations).
  --list             List the combinations (after --filter) and exit.
  --no-cache         Ignore cached results (new results are still stored).
  --cache-dir <dir>  Result cache (default: $PRODREADY_MATRIX_CACHE, or matrix-cache in
                     $PRODREADY_CACHE or ~/.cache/prodready).
  --tools-dir <dir>  External tools (default: $PRODREADY_TOOLS_DIR, or tools in $PRODREADY_CACHE
                     or ~/.cache/prodready).
  --out <dir>        Where report.json and summary.md go (default: matrix/out).
  --services         Start PostgreSQL and Redis even if no check asks for them.
  --verbose          Show the checks' own progress output.
  --help             Show this help.
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        filter: { type: 'string', multiple: true },
        shard: { type: 'string' },
        jobs: { type: 'string' },
        checks: { type: 'string' },
        list: { type: 'boolean' },
        'no-cache': { type: 'boolean' },
        'cache-dir': { type: 'string' },
        'tools-dir': { type: 'string' },
        out: { type: 'string' },
        services: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const filters = values.filter ?? [];
    const shard = values.shard === undefined ? undefined : parseShard(values.shard);
    const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new Error(`--jobs must be a positive integer, got "${values.jobs}"`);
    const only = values.checks
      ?.split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');

    if (values.list) {
      const space = buildSpace();
      const predicates = filters.map((filter) => parseFilter(filter));
      const selected = (combination: Parameters<(typeof predicates)[number]>[0]) => predicates.length === 0 || predicates.some((predicate) => predicate(combination));
      const valid = space.valid.filter(selected);
      const invalid = space.invalid.filter(selected);
      for (const combination of valid) process.stdout.write(`${combination.id}\n`);
      for (const combination of invalid) process.stdout.write(`${combination.id}  (${combination.rule})\n`);
      process.stdout.write(`${valid.length} of ${space.valid.length} valid, ${invalid.length} of ${space.invalid.length} invalid combinations\n`);
      return 0;
    }

    const report = await runMatrix({
      filters,
      shard,
      jobs,
      only,
      noCache: values['no-cache'] === true,
      cacheDir: values['cache-dir'],
      toolsDir: values['tools-dir'],
      startServices: values.services === true,
      verbose: values.verbose === true,
    });
    const { json, summary } = writeReport(report, values.out ?? defaultOutDir);
    for (const line of consoleSummary(report)) process.stdout.write(`${line}\n`);
    process.stdout.write(`Report: ${json}, ${summary}\n`);
    return report.verdict === 'pass' ? 0 : 1;
  } catch (error) {
    process.stderr.write(`matrix: ${(error as Error).message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
