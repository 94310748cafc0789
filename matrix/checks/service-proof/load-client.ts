/**
 * The load client's process: `node load-client.ts '<LoadRunOptions as JSON>'`
 * runs the journey and prints its LoadFigures as JSON on stdout. Exit 1 with
 * the error on stderr when the run cannot be made.
 */
import { runJourneyHere, type LoadRunOptions } from './load-run.ts';

try {
  const options = JSON.parse(process.argv[2] ?? '') as LoadRunOptions;
  process.stdout.write(`${JSON.stringify(await runJourneyHere(options))}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
