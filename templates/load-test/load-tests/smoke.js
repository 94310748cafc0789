// Smoke test: one virtual user for DURATION (default 30s). Run it first, and
// after every deploy: it proves every endpoint of the journey answers correctly.
//   k6 run -e BASE_URL="$STAGING_URL" load-tests/smoke.js
/* global __ENV -- k6's runtime globals (ESLint's no-undef does not know them) */
import { journey, summaryWriter, thresholds } from './lib.js';

/** @type {import('k6/options').Options} */
export const options = {
  vus: 1,
  duration: __ENV.DURATION || '30s',
  thresholds,
};

export default function smoke() {
  journey();
}

export const handleSummary = summaryWriter('smoke');
