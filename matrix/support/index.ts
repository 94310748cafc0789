/** The matrix's shared helpers: globs, ports, processes, PostgreSQL, the worker pool, facts and direct runs of checks. */
export * from './direct-run.ts';
export * from './facts.ts';
export * from './glob.ts';
export * from './pool.ts';
export * from './ports.ts';
export * from './postgres.ts';
export * from './process.ts';
