/**
 * The contract of a feature: one unit of the generated project, with its
 * templates in templates/<name>/. A feature reads facts (never raw answers),
 * contributes items to slots, and builds the files it owns from the slots it
 * declares it reads.
 */
import type { Facts } from './facts.ts';
import type { Contribution, Slot } from './slot.ts';

/** What `contribute` gets besides the facts. */
export interface FeatureContext {
  facts: Facts;
  /**
   * Renders templates/<feature>/_parts/<name> (an EJS fragment, not a file of
   * the project) with the feature's template data; for README and docs
   * sections kept as Markdown.
   */
  part(name: string): string;
}

/** The merged slots a feature declared it reads. */
export interface Assembled {
  /** The merged value of a slot; throws when the feature did not declare the slot in `reads`. */
  get<Merged>(slot: Slot<never, Merged>): Merged;
}

// Slots are read and written with any item type; `never` keeps Slot<Item, Merged> assignable here.
export type AnySlot = Slot<never, unknown>;

export interface Feature {
  name: string;
  /** One line for docs. */
  summary: string;
  applies(facts: Facts): boolean;
  /**
   * Conditions for optional template files, keyed by the output path (as it
   * lands in the generated project). Template files not listed are always written.
   */
  optionalFiles?: Record<string, (facts: Facts) => boolean>;
  contribute?(context: FeatureContext): Contribution[];
  /** The slots whose merged values this feature's files and templates read. */
  reads?: readonly AnySlot[];
  /** Files built as data (from facts and the slots read), keyed by output path. */
  files?(facts: Facts, assembled: Assembled): Record<string, string>;
}
