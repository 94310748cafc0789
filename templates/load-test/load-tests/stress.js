// Stress test: steps up to two and then three times VUS (default 20) to find
// where latency or errors break the thresholds, then checks that the service
// recovers. Run it against staging, never production.
//   k6 run -e BASE_URL="$STAGING_URL" -e VUS=50 load-tests/stress.js
/* global __ENV -- k6's runtime globals (ESLint's no-undef does not know them) */
import { journey, numberFromEnv, summaryWriter, thresholds } from './lib.js';

const vus = Math.round(numberFromEnv('VUS', 20));
const hold = __ENV.DURATION || '3m';

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    stress: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '1m', target: vus },
        { duration: hold, target: vus },
        { duration: '1m', target: vus * 2 },
        { duration: hold, target: vus * 2 },
        { duration: '1m', target: vus * 3 },
        { duration: hold, target: vus * 3 },
        { duration: '2m', target: 0 },
      ],
      gracefulRampDown: '30s',
    },
  },
  thresholds,
};

export default function stress() {
  journey();
}

export const handleSummary = summaryWriter('stress');
