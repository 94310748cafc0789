/** The part of markdownlint-cli2's programmatic API (markdownlint-cli2.mjs, `main`) the markdownlint check uses; the package ships JSDoc types only. */
declare module 'markdownlint-cli2' {
  export function main(parameters: {
    /** Base directory: configuration files and the globs are resolved from it. */
    directory: string;
    /** Command-line arguments: globs, or literal paths prefixed with ":". */
    argv: readonly string[];
    logMessage: (message: string) => void;
    /** Receives one line per finding: "file:line[:column] [error ]MDxxx/name description". */
    logError: (message: string) => void;
    /** Never import custom rules or formatters named by a configuration file. */
    noImport?: boolean;
  }): Promise<number>;
}
