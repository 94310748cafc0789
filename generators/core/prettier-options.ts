/**
 * The Prettier settings of every generated project: written to its
 * .prettierrc.json and used when the generator formats files, so the project's
 * own `npm run format:check` agrees with what was generated.
 */
export const PRETTIER_OPTIONS = { printWidth: 120, singleQuote: true } as const;
