/**
 * Facts about a combination that checks may depend on. The generator will
 * supply them with each render; until then the runner (and a check run by
 * hand) falls back to `variantFacts`, computed from the answers.
 */

export type Facts = Readonly<Record<string, unknown>>;

/** The app variant: which optional services and integrations the generated service has. */
export interface VariantFacts {
  hasPostgres: boolean;
  hasRedis: boolean;
  hasSentry: boolean;
  hasTracing: boolean;
}

/** Fallback facts from the answers, used only when a render result carries no facts: the variant, plus what the alert drill reads (observability, the project name as scrape job). */
export function variantFacts(answers: Readonly<Record<string, unknown>>): VariantFacts & { hasObservability: boolean; name: string } {
  return {
    hasPostgres: answers.database === 'postgres',
    hasRedis: answers.cache === 'redis',
    hasSentry: answers.sentry === true,
    hasTracing: answers.tracing === true,
    hasObservability: answers.observability === true,
    name: typeof answers.name === 'string' ? answers.name : '',
  };
}

/** The projection of the facts that checks depending on the app variant declare (Check.facts). */
export function variantProjection(facts: Facts): VariantFacts {
  return { hasPostgres: facts.hasPostgres === true, hasRedis: facts.hasRedis === true, hasSentry: facts.hasSentry === true, hasTracing: facts.hasTracing === true };
}

/** The variant a check was given in context.facts; throws when the runner (or the direct run) gave none. */
export function variantFrom(projection: unknown): VariantFacts {
  if (typeof projection !== 'object' || projection === null) throw new Error('no facts in the check context: the app variant is unknown');
  return variantProjection(projection as Facts);
}

/** JSON with object keys sorted at every level, so equal projections give equal text. */
export function stableJson(value: unknown): string {
  const text = JSON.stringify(value, (_, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : item,
  );
  return text ?? 'undefined';
}
