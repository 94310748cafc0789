/**
 * Items kept in process memory: the storage when the service has no
 * database. Data lives as long as the process, each replica has its own, and
 * the number of items is bounded so memory is.
 */
import { randomUUID } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import {
  ItemNameTakenError,
  ItemStorageFullError,
  type Item,
  type ItemChanges,
  type ItemRepository,
  type NewItem,
  type Page,
  type PageRequest,
} from './model.ts';

interface Stored {
  position: bigint;
  item: Item;
}

export class MemoryItemRepository implements ItemRepository {
  readonly #byId = new Map<string, Stored>();
  readonly #idByName = new Map<string, string>();
  readonly #maxItems: number;
  #lastPosition = 0n;

  constructor(options: { maxItems: number }) {
    this.#maxItems = options.maxItems;
  }

  get size(): number {
    return this.#byId.size;
  }

  list(page: PageRequest): Promise<Page> {
    const after = page.after ?? 0n;
    // Map iteration follows insertion order, which is position order.
    const following = [...this.#byId.values()].filter((stored) => stored.position > after);
    const selected = following.slice(0, page.limit);
    const last = selected.at(-1);
    return Promise.resolve({
      items: selected.map((stored) => ({ ...stored.item })),
      ...(following.length > page.limit && last ? { next: last.position } : {}),
    });
  }

  get(id: string): Promise<Item | undefined> {
    const stored = this.#byId.get(id);
    return Promise.resolve(stored ? { ...stored.item } : undefined);
  }

  create(input: NewItem): Promise<Item> {
    if (this.#nameTaken(input.name)) return Promise.reject(new ItemNameTakenError(input.name));
    if (this.#byId.size >= this.#maxItems) return Promise.reject(new ItemStorageFullError(this.#maxItems));
    const now = new Date();
    const item: Item = {
      id: randomUUID(),
      name: input.name,
      description: input.description ?? '',
      createdAt: now,
      updatedAt: now,
    };
    this.#lastPosition += 1n;
    this.#byId.set(item.id, { position: this.#lastPosition, item });
    this.#idByName.set(item.name, item.id);
    return Promise.resolve({ ...item });
  }

  update(id: string, changes: ItemChanges): Promise<Item | undefined> {
    const stored = this.#byId.get(id);
    if (!stored) return Promise.resolve(undefined);
    if (changes.name !== undefined) {
      if (this.#nameTaken(changes.name, id)) return Promise.reject(new ItemNameTakenError(changes.name));
      this.#idByName.delete(stored.item.name);
      this.#idByName.set(changes.name, id);
    }
    stored.item = {
      ...stored.item,
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.description === undefined ? {} : { description: changes.description }),
      updatedAt: new Date(),
    };
    return Promise.resolve({ ...stored.item });
  }

  delete(id: string): Promise<boolean> {
    const stored = this.#byId.get(id);
    if (!stored) return Promise.resolve(false);
    this.#byId.delete(id);
    this.#idByName.delete(stored.item.name);
    return Promise.resolve(true);
  }

  #nameTaken(name: string, exceptId?: string): boolean {
    const owner = this.#idByName.get(name);
    return owner !== undefined && owner !== exceptId;
  }
}

export function registerMemoryItemMetrics(registry: Registry, items: MemoryItemRepository, maxItems: number): void {
  new Gauge({
    name: 'items_in_memory',
    help: 'Items kept in the memory of this replica.',
    registers: [registry],
    collect() {
      this.set(items.size);
    },
  });
  new Gauge({
    name: 'items_in_memory_limit',
    help: 'Most items this replica keeps in memory (ITEMS_MEMORY_LIMIT).',
    registers: [registry],
    collect() {
      this.set(maxItems);
    },
  });
}
