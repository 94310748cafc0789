/**
 * The schema, as an ordered list of forward-only migrations. To change the
 * schema, append a migration; never edit one that was applied anywhere.
 * Keep each one backward compatible with the running version (expand, then
 * contract in a later release), because old pods serve traffic while it runs.
 */
import type { Migration } from './migrator.ts';

export const migrations: readonly Migration[] = [
  {
    id: '0001_create_items',
    sql: `
      CREATE TABLE items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        position bigint GENERATED ALWAYS AS IDENTITY,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT items_name_key UNIQUE (name),
        CONSTRAINT items_position_key UNIQUE (position),
        CONSTRAINT items_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
        CONSTRAINT items_description_length CHECK (char_length(description) <= 2000)
      );
    `,
  },
];
