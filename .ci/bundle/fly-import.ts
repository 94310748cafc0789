/**
 * Replaces the `fly-import` package inside the CLI bundle. yeoman-environment
 * uses it only to download and install generators from npm at run time, which
 * this CLI never does; the real package pulls ~120 ms of npm client code into
 * every start. Any use fails loudly instead of silently doing nothing.
 */
const UNAVAILABLE = 'create-prodready-app does not install Yeoman generators at run time';

export class FlyRepository {
  constructor(_config: unknown) {}

  install(): never {
    throw new Error(UNAVAILABLE);
  }

  import(): never {
    throw new Error(UNAVAILABLE);
  }

  resolve(): never {
    throw new Error(UNAVAILABLE);
  }
}

export function flyImport(): never {
  throw new Error(UNAVAILABLE);
}
