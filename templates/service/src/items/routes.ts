/** CRUD routes of /api/v1/items, each with request and response schemas. */
import type { FastifyInstance } from 'fastify';
import { HttpProblem, problemResponses } from '../errors.ts';
import {
  decodeCursor,
  DESCRIPTION_MAX_LENGTH,
  encodeCursor,
  ItemNameTakenError,
  ItemStorageFullError,
  NAME_MAX_LENGTH,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  type Item,
  type ItemChanges,
  type ItemRepository,
  type NewItem,
} from './model.ts';

export const itemSchema = {
  $id: 'Item',
  type: 'object',
  required: ['id', 'name', 'description', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    description: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

// A name has a visible character and no control characters; surrounding whitespace is trimmed on save.
const name = {
  type: 'string',
  minLength: 1,
  maxLength: NAME_MAX_LENGTH,
  pattern: '^(?=.*\\S)[^\\u0000-\\u001f\\u007f]+$',
} as const;
// Line breaks and tabs are fine in a description; NUL is not (PostgreSQL text cannot hold it).
const description = { type: 'string', maxLength: DESCRIPTION_MAX_LENGTH, pattern: '^[^\\u0000]*$' } as const;

const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

interface ItemResponse {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

function toResponse(item: Item): ItemResponse {
  return { ...item, createdAt: item.createdAt.toISOString(), updatedAt: item.updatedAt.toISOString() };
}

function notFound(id: string): HttpProblem {
  return new HttpProblem(404, 'ITEM_NOT_FOUND', `No item with id ${id}.`);
}

function trimmed<T extends { name?: string; description?: string }>(input: T): T {
  return {
    ...input,
    ...(input.name === undefined ? {} : { name: input.name.trim() }),
    ...(input.description === undefined ? {} : { description: input.description.trim() }),
  };
}

/** Storage errors a client can act on, as problems. */
async function asProblems<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ItemNameTakenError) throw new HttpProblem(409, 'ITEM_NAME_TAKEN', error.message);
    if (error instanceof ItemStorageFullError) throw new HttpProblem(507, 'STORAGE_FULL', error.message);
    throw error;
  }
}

export function registerItemRoutes(app: FastifyInstance, items: ItemRepository): void {
  app.addSchema(itemSchema);

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/items',
    {
      schema: {
        tags: ['items'],
        summary: 'List items, oldest first, one page at a time.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: PAGE_SIZE_MAX, default: PAGE_SIZE_DEFAULT },
            cursor: { type: 'string', minLength: 1, maxLength: 64, description: 'nextCursor of the previous page.' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['items', 'nextCursor'],
            properties: {
              items: { type: 'array', items: { $ref: 'Item#' } },
              nextCursor: {
                type: ['string', 'null'],
                description: 'Pass as cursor to get the next page; null on the last page.',
              },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && after === undefined)
        throw new HttpProblem(
          400,
          'INVALID_CURSOR',
          'The cursor is not one this service issued; start again without it.',
        );
      const page = await items.list(after === undefined ? { limit } : { limit, after });
      return {
        items: page.items.map(toResponse),
        nextCursor: page.next === undefined ? null : encodeCursor(page.next),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/items/:id',
    {
      schema: {
        tags: ['items'],
        summary: 'Get one item.',
        params: idParams,
        response: { 200: { $ref: 'Item#' }, ...problemResponses },
      },
    },
    async (request) => {
      const item = await items.get(request.params.id);
      if (!item) throw notFound(request.params.id);
      return toResponse(item);
    },
  );

  app.post<{ Body: NewItem }>(
    '/items',
    {
      schema: {
        tags: ['items'],
        summary: 'Create an item. Names are unique: a taken name gets 409.',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name, description },
        },
        response: { 201: { $ref: 'Item#' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const item = await asProblems(() => items.create(trimmed(request.body)));
      return reply
        .code(201)
        .header('location', `${request.routeOptions.url ?? ''}/${item.id}`)
        .send(toResponse(item));
    },
  );

  app.patch<{ Params: { id: string }; Body: ItemChanges }>(
    '/items/:id',
    {
      schema: {
        tags: ['items'],
        summary: 'Change the name and/or description of an item.',
        params: idParams,
        body: {
          type: 'object',
          minProperties: 1,
          additionalProperties: false,
          properties: { name, description },
        },
        response: { 200: { $ref: 'Item#' }, ...problemResponses },
      },
    },
    async (request) => {
      const item = await asProblems(() => items.update(request.params.id, trimmed(request.body)));
      if (!item) throw notFound(request.params.id);
      return toResponse(item);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/items/:id',
    {
      schema: {
        tags: ['items'],
        summary: 'Delete an item.',
        params: idParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      if (!(await items.delete(request.params.id))) throw notFound(request.params.id);
      return reply.code(204).send();
    },
  );
}
