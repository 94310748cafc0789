/** The decision behind the alerts: SLO burn-rate alerts page, cause alerts open tickets. */
import type { Facts } from '../core/facts.ts';
import type { Adr } from '../core/slots.ts';

export function observabilityAdr(facts: Facts): Adr {
  return {
    slug: 'slo-burn-rate-alerting',
    title: 'Page on SLO error-budget burn rate over two windows; alert on causes with tickets',
    status: 'accepted',
    order: 60,
    context: `${facts.title} has an availability objective of ${facts.sloPercent} % of requests answered without a 5xx over 30 days. Alerts must wake someone only when users are affected enough to threaten that objective, reach the right person with a runbook, and be proven to fire (and to stay silent) before they are deployed.`,
    drivers: [
      'A page means users are affected now; everything else can wait for working hours.',
      'Fast detection of a large outage and eventual detection of a slow leak, with few false alarms.',
      'Every alert is tested with promtool and has a runbook.',
      'Only metrics the service or a standard exporter exports.',
    ],
    options: [
      {
        title: 'Multi-window, multi-burn-rate alerts on the error budget',
        description: 'Page at 14.4x over 1 h and 5 min or 6x over 6 h and 30 min; ticket at 3x over 1 d and 2 h or 1x over 3 d and 6 h (Google SRE Workbook, "Alerting on SLOs").',
        pros: ['Pages scale with how fast the budget burns, not with raw error counts.', 'The short window resets the alert soon after recovery.', 'High precision and recall together, as the workbook measures.'],
        cons: ['Needs recording rules for seven windows.', 'Below an objective of about 93 %, 14.4x exceeds an error ratio of 1 and that window pair is left out.'],
      },
      {
        title: 'Threshold alerts on the error ratio',
        description: 'Page when the 5xx ratio is above a fixed value for some minutes.',
        pros: ['One rule, easy to read.'],
        cons: ['Either pages on short blips or misses slow burns; the threshold has no link to the objective.'],
      },
      {
        title: 'Page on every cause alert',
        pros: ['Every failure is seen at once.'],
        cons: ['Alert fatigue: most causes do not affect users at the time they fire.'],
      },
    ],
    outcome: {
      chosen: 'Multi-window, multi-burn-rate alerts on the error budget',
      because: 'it pages only when the objective is threatened, in proportion to how fast, while cause alerts (target down, crash loops, saturation, certificates) stay warnings that open tickets, and critical ones inhibit the warnings of the same alert.',
    },
    consequences: {
      good: ['On-call engineers are paged for user impact, with a runbook link in every notification.', 'Alert changes are reviewed with their promtool tests in the same change.'],
      bad: ['A change of the objective changes every burn-rate threshold; regenerate or edit deploy/monitoring/prometheus/rules/slo.yaml and its tests together.'],
    },
    confirmation: '`promtool test rules deploy/monitoring/prometheus/tests/*.yaml` proves each alert fires in its firing cases and stays silent just below each burn-rate threshold; `amtool check-config` and the route cases prove the routing.',
  };
}
