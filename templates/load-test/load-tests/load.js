// Load test: ramps up to VUS virtual users (default 20), holds them for
// DURATION (default 5m), then ramps down. Compare its summary with the
// baseline in docs/performance.md.
//   k6 run -e BASE_URL="$STAGING_URL" -e VUS=50 -e DURATION=10m load-tests/load.js
/* global __ENV -- k6's runtime globals (ESLint's no-undef does not know them) */
import { journey, numberFromEnv, summaryWriter, thresholds } from './lib.js';

const vus = Math.round(numberFromEnv('VUS', 20));

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    load: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '1m', target: vus },
        { duration: __ENV.DURATION || '5m', target: vus },
        { duration: '30s', target: 0 },
      ],
      gracefulRampDown: '30s',
    },
  },
  thresholds,
};

export default function load() {
  journey();
}

export const handleSummary = summaryWriter('load');
