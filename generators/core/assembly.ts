/**
 * Collects every feature's slot contributions and merges each slot once, by
 * its own rule, with items in feature-name order so the result never depends
 * on the order features ran.
 */
import type { Assembled, AnySlot } from './feature.ts';
import type { Contribution, Slot, Sourced } from './slot.ts';

export class Assembly {
  private readonly byFeature = new Map<string, readonly Contribution[]>();
  private readonly merged = new Map<string, unknown>();

  add(feature: string, contributions: readonly Contribution[]): void {
    if (this.byFeature.has(feature)) throw new Error(`Feature ${feature} contributed twice`);
    this.byFeature.set(feature, contributions);
    this.merged.clear();
  }

  /** The merged value of a slot (merged once, then reused). */
  get<Merged>(slot: Slot<never, Merged>): Merged {
    if (!this.merged.has(slot.name)) {
      const items: Sourced<unknown>[] = [];
      for (const [feature, contributions] of [...this.byFeature].sort(([a], [b]) => (a < b ? -1 : 1))) {
        for (const contribution of contributions) {
          if (contribution.slot.name === slot.name) for (const item of contribution.items) items.push({ source: feature, item });
        }
      }
      this.merged.set(slot.name, (slot.merge as (items: readonly Sourced<unknown>[]) => Merged)(items));
    }
    return this.merged.get(slot.name) as Merged;
  }

  /** What one feature may read: only the slots it declared. */
  view(feature: string, reads: readonly AnySlot[]): Assembled {
    const allowed = new Set(reads.map((slot) => slot.name));
    return {
      get: <Merged>(slot: Slot<never, Merged>): Merged => {
        if (!allowed.has(slot.name)) throw new Error(`Feature ${feature} reads slot ${slot.name} without declaring it in reads`);
        return this.get(slot);
      },
    };
  }

  /** The declared slots as an object keyed by slot name, for templates (`assembled.env`). */
  locals(feature: string, reads: readonly AnySlot[]): Record<string, unknown> {
    const bySlot = new Map(reads.map((slot) => [slot.name, slot]));
    return new Proxy(
      {},
      {
        get: (_target, property) => {
          if (typeof property !== 'string') return undefined;
          const slot = bySlot.get(property);
          if (!slot) throw new Error(`A template of feature ${feature} reads assembled.${property}, a slot the feature does not declare in reads`);
          return this.get(slot);
        },
      },
    );
  }
}
