/** Free TCP ports on loopback, for servers the matrix starts. */
import getPort from 'get-port';

/**
 * A port that is free on 127.0.0.1 now. get-port also keeps it from being
 * handed out again by this process for a while, so concurrent callers get
 * different ports.
 */
export function freePort(): Promise<number> {
  return getPort({ host: '127.0.0.1' });
}
