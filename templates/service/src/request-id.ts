/**
 * Request ids: a well-formed X-Request-Id from the caller (or the proxy in
 * front) is kept, anything else is replaced by a fresh UUID. The id is on
 * every log line of the request and echoed in the response.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

const VALID_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isValidRequestId(value: string): boolean {
  return VALID_REQUEST_ID.test(value);
}

export function requestIdFor(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && isValidRequestId(given) ? given : randomUUID();
}
