/**
 * Contribution slots: the only way features feed one another. A slot has a
 * name, the type of one contribution (an item) and a merge rule that turns
 * every feature's items into the value its readers get. Slots are an open
 * registry: a new kind of contribution is a new `defineSlot` call, with no edit
 * to the core.
 */

/** One item with the feature that contributed it. */
export interface Sourced<Item> {
  source: string;
  item: Item;
}

/** A merge rule: items arrive in feature-name order, then in the order each feature gave them. */
export type MergeRule<Item, Merged> = (items: readonly Sourced<Item>[]) => Merged;

export interface Slot<Item, Merged> {
  readonly name: string;
  readonly merge: MergeRule<Item, Merged>;
  /** One contribution to this slot, typed by the slot. */
  of(...items: Item[]): Contribution;
}

/** What a feature's `contribute` returns: items for one slot. */
export interface Contribution {
  readonly slot: Slot<unknown, unknown>;
  readonly items: readonly unknown[];
}

/** Two features gave different values for the same key; the message names both. */
export class SlotConflict extends Error {
  constructor(slot: string, key: string, first: Sourced<unknown>, second: Sourced<unknown>, detail = '') {
    super(`Slot ${slot}: ${key} is contributed differently by feature ${first.source} and feature ${second.source}${detail ? ` (${detail})` : ''}`);
    this.name = 'SlotConflict';
  }
}

const registry = new Map<string, Slot<unknown, unknown>>();

/**
 * Declares a slot. Names are unique across the process: a second slot with the
 * same name throws, so two features cannot silently use different slots under
 * one name.
 */
export function defineSlot<Item, Merged>(name: string, merge: MergeRule<Item, Merged>): Slot<Item, Merged> {
  if (registry.has(name)) throw new Error(`A slot named ${name} is already defined`);
  const slot: Slot<Item, Merged> = {
    name,
    merge,
    of: (...items: Item[]) => ({ slot: slot as Slot<unknown, unknown>, items }),
  };
  registry.set(name, slot as Slot<unknown, unknown>);
  return slot;
}

/** Every slot defined so far, by name. */
export function definedSlots(): ReadonlyMap<string, Slot<unknown, unknown>> {
  return registry;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Deep equality for plain data (JSON-shaped items). */
function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface KeyedListOptions<Item> {
  /**
   * `key` (default): sorted by key. `source`: in the order the items arrived
   * (feature name, then the feature's own order), for lists whose order users
   * read (README commands). A function: that comparison, ties by key.
   */
  order?: 'key' | 'source' | ((a: Item, b: Item) => number);
}

/**
 * Merge rule for items identified by a key: an item given twice with the same
 * content counts once; the same key with different content is a SlotConflict
 * naming both features.
 */
export function keyedList<Item>(slot: string, keyOf: (item: Item) => string, options: KeyedListOptions<Item> = {}): MergeRule<Item, Item[]> {
  return (items) => {
    const byKey = new Map<string, Sourced<Item>>();
    for (const entry of items) {
      const key = keyOf(entry.item);
      const existing = byKey.get(key);
      if (existing && !sameData(existing.item, entry.item)) throw new SlotConflict(slot, key, existing, entry);
      if (!existing) byKey.set(key, entry);
    }
    const merged = [...byKey.values()].map((entry) => entry.item);
    const order = options.order ?? 'key';
    if (order === 'source') return merged;
    if (order === 'key') return merged.sort((a, b) => compare(keyOf(a), keyOf(b)));
    return merged.sort((a, b) => order(a, b) || compare(keyOf(a), keyOf(b)));
  };
}

/**
 * Merge rule for string→value records (npm scripts, dependencies): keys sorted,
 * the same key with different values a SlotConflict naming both features.
 */
export function mergeRecords<Value>(slot: string, what: string, records: readonly Sourced<Record<string, Value> | undefined>[]): Record<string, Value> {
  const merged = new Map<string, Sourced<Value>>();
  for (const { source, item } of records) {
    for (const [key, value] of Object.entries(item ?? {})) {
      const existing = merged.get(key);
      if (existing && !sameData(existing.item, value)) {
        throw new SlotConflict(slot, `${what} "${key}"`, existing, { source, item: value }, `${JSON.stringify(existing.item)} vs ${JSON.stringify(value)}`);
      }
      if (!existing) merged.set(key, { source, item: value });
    }
  }
  return Object.fromEntries([...merged].sort(([a], [b]) => compare(a, b)).map(([key, entry]) => [key, entry.item]));
}

/** Merge rule for plain lines: first occurrence wins its place, duplicates dropped. */
export function uniqueInOrder(): MergeRule<string, string[]> {
  return (items) => [...new Set(items.map((entry) => entry.item))];
}

/** Merge rule for strings: sorted, duplicates dropped. */
export function sortedUnique(): MergeRule<string, string[]> {
  return (items) => [...new Set(items.map((entry) => entry.item))].sort(compare);
}
