/**
 * Errors as RFC 9457 problem details (application/problem+json). Stack traces
 * never reach a response; server errors are logged with their stack and passed
 * to the error reporter.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  /** Stable machine-readable code, e.g. ITEM_NOT_FOUND. */
  code: string;
  requestId: string;
  /** Validation failures, one per invalid value. */
  errors?: { in: string; path: string; message: string }[];
}

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details.',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId'],
  properties: {
    type: { type: 'string', description: 'Problem type URI; about:blank means the HTTP status says it all.' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path.' },
    code: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['in', 'path', 'message'],
        properties: { in: { type: 'string' }, path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/** Response schemas every route shares for its error statuses. */
export const problemResponses = {
  '4xx': { $ref: 'Problem#' },
  '5xx': { $ref: 'Problem#' },
} as const;

/** An error that maps to a problem response as it is. */
export class HttpProblem extends Error {
  readonly statusCode: number;
  readonly code: string;

  constructor(statusCode: number, code: string, detail: string) {
    super(detail);
    this.name = 'HttpProblem';
    this.statusCode = statusCode;
    this.code = code;
  }
}

export interface ErrorHandlingOptions {
  /** Include the message of unexpected errors in responses (never in production). */
  exposeErrorMessages: boolean;
  /** Called for every 5xx, e.g. to report to an error tracker. */
  onServerError?: (error: Error, request: FastifyRequest) => void;
}

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}

export function problem(
  request: FastifyRequest,
  status: number,
  code: string,
  detail: string,
  errors?: Problem['errors'],
): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: pathOf(request),
    code,
    requestId: request.id,
    ...(errors === undefined ? {} : { errors }),
  };
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

function validationProblem(request: FastifyRequest, error: FastifyError): Problem {
  const where = error.validationContext ?? 'request';
  const errors = (error.validation ?? []).map((failure) => ({
    in: where,
    path: failure.instancePath === '' ? '/' : failure.instancePath,
    message: failure.message ?? 'is invalid',
  }));
  return problem(request, 400, 'VALIDATION_FAILED', `The ${where} is invalid: ${error.message}`, errors);
}

export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.addSchema(problemSchema);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return sendProblem(reply, validationProblem(request, error));
    const status =
      typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500;
    if (status < 500) {
      request.log.info({ code: error.code, statusCode: status, detail: error.message }, 'request rejected');
      return sendProblem(reply, problem(request, status, error.code || `HTTP_${status}`, error.message));
    }
    request.log.error({ err: error }, 'request failed');
    options.onServerError?.(error, request);
    const detail = options.exposeErrorMessages
      ? error.message
      : 'An unexpected error occurred. Quote the requestId when reporting it.';
    return sendProblem(
      reply,
      problem(request, status, status === 500 ? 'INTERNAL_ERROR' : error.code || `HTTP_${status}`, detail),
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(request, 404, 'ROUTE_NOT_FOUND', `No route for ${request.method} ${pathOf(request)}.`)),
  );
}
