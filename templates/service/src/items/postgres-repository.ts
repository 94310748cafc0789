/** Items in PostgreSQL. Every query is parameterised. */
import type { Pool } from 'pg';
import {
  ItemNameTakenError,
  type Item,
  type ItemChanges,
  type ItemRepository,
  type NewItem,
  type Page,
  type PageRequest,
} from './model.ts';

interface ItemRow {
  position: string;
  id: string;
  name: string;
  description: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'position, id, name, description, created_at, updated_at';
const UNIQUE_VIOLATION = '23505';

function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function isNameTaken(error: unknown): boolean {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION && constraint === 'items_name_key';
}

export class PostgresItemRepository implements ItemRepository {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async list(page: PageRequest): Promise<Page> {
    // One row more than asked tells whether another page follows.
    const { rows } = await this.#pool.query<ItemRow>(
      `SELECT ${COLUMNS} FROM items WHERE position > $1 ORDER BY position LIMIT $2`,
      [String(page.after ?? 0n), page.limit + 1],
    );
    const selected = rows.slice(0, page.limit);
    const last = selected.at(-1);
    return {
      items: selected.map(toItem),
      ...(rows.length > page.limit && last ? { next: BigInt(last.position) } : {}),
    };
  }

  async get(id: string): Promise<Item | undefined> {
    const { rows } = await this.#pool.query<ItemRow>(`SELECT ${COLUMNS} FROM items WHERE id = $1`, [id]);
    return rows[0] ? toItem(rows[0]) : undefined;
  }

  async create(item: NewItem): Promise<Item> {
    try {
      const { rows } = await this.#pool.query<ItemRow>(
        `INSERT INTO items (name, description) VALUES ($1, $2) RETURNING ${COLUMNS}`,
        [item.name, item.description ?? ''],
      );
      const [row] = rows;
      if (!row) throw new Error('INSERT ... RETURNING returned no row');
      return toItem(row);
    } catch (error) {
      if (isNameTaken(error)) throw new ItemNameTakenError(item.name);
      throw error;
    }
  }

  async update(id: string, changes: ItemChanges): Promise<Item | undefined> {
    try {
      const { rows } = await this.#pool.query<ItemRow>(
        `UPDATE items
            SET name = COALESCE($2, name), description = COALESCE($3, description), updated_at = now()
          WHERE id = $1
      RETURNING ${COLUMNS}`,
        [id, changes.name ?? null, changes.description ?? null],
      );
      return rows[0] ? toItem(rows[0]) : undefined;
    } catch (error) {
      if (isNameTaken(error) && changes.name !== undefined) throw new ItemNameTakenError(changes.name);
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query('DELETE FROM items WHERE id = $1', [id]);
    return rowCount === 1;
  }
}
