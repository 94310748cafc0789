/**
 * Load tests: k6 scripts in load-tests/ (smoke, load, stress) over the
 * service's real endpoints with shared thresholds and a JSON summary, and
 * docs/performance.md on running them and keeping a baseline.
 */
import type { Feature } from '../core/feature.ts';
import { docsSlot, gitignoreSlot, readmeSlot } from '../core/slots.ts';

export const loadTestFeature: Feature = {
  name: 'load-test',
  summary: 'k6 smoke, load and stress scripts with p95 and error-rate thresholds, and docs/performance.md.',
  applies: (facts) => facts.hasLoadTest,
  contribute: ({ part }) => [
    gitignoreSlot.of('load-tests/*-summary.json'),
    readmeSlot.of({ title: 'Load tests', order: 45, body: part('readme-load-tests.md') }),
    docsSlot.of(
      { page: 'docs/performance.md', title: 'Run the load tests', order: 10, body: part('performance-local.md') },
      { page: 'docs/performance.md', title: 'In CI', order: 20, body: part('performance-ci.md') },
      { page: 'docs/performance.md', title: 'Baseline', order: 30, body: part('performance-baseline.md') },
    ),
  ],
};
