/** The example resource: an item with a unique name. */
export const NAME_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 2000;
export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

export interface Item {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewItem {
  name: string;
  description?: string;
}

export interface ItemChanges {
  name?: string;
  description?: string;
}

export interface PageRequest {
  limit: number;
  /** Position after which the page starts (exclusive); from a previous page's `next`. */
  after?: bigint;
}

export interface Page {
  items: Item[];
  /** Position of the last item when more items follow. */
  next?: bigint;
}

/** Thrown when a name is already taken. */
export class ItemNameTakenError extends Error {
  constructor(name: string) {
    super(`An item named "${name}" already exists.`);
    this.name = 'ItemNameTakenError';
  }
}

/** Thrown when the storage takes no more items. */
export class ItemStorageFullError extends Error {
  constructor(limit: number) {
    super(`The storage holds its maximum of ${limit} items; delete some first.`);
    this.name = 'ItemStorageFullError';
  }
}

/** Storage of items; the Postgres and in-memory implementations behave the same. */
export interface ItemRepository {
  list(page: PageRequest): Promise<Page>;
  get(id: string): Promise<Item | undefined>;
  /** @throws ItemNameTakenError, ItemStorageFullError */
  create(item: NewItem): Promise<Item>;
  /** Undefined when there is no such item. @throws ItemNameTakenError */
  update(id: string, changes: ItemChanges): Promise<Item | undefined>;
  /** False when there was no such item. */
  delete(id: string): Promise<boolean>;
}

const CURSOR_PREFIX = 'v1:';

/** Opaque page cursors: clients pass them back unchanged. */
export function encodeCursor(position: bigint): string {
  return Buffer.from(`${CURSOR_PREFIX}${position}`, 'utf8').toString('base64url');
}

/** The position in a cursor, or undefined when it is not one this service issued. */
export function decodeCursor(cursor: string): bigint | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX)) return undefined;
  const digits = text.slice(CURSOR_PREFIX.length);
  if (!/^(0|[1-9]\d{0,18})$/.test(digits)) return undefined;
  const position = BigInt(digits);
  // Only the exact encoding this service issues is accepted.
  return position <= 9_223_372_036_854_775_807n && encodeCursor(position) === cursor ? position : undefined;
}
