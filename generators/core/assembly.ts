/**
 * Merges feature contributions deterministically (sorted, no duplicates) into
 * the data behind the assembled files.
 */
import type { Command, Contributions, EnvVar, ReadmeSection } from './feature.ts';

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export class Assembly {
  private readonly byFeature = new Map<string, Contributions>();

  add(feature: string, contributions: Contributions): void {
    if (this.byFeature.has(feature)) throw new Error(`Feature ${feature} contributed twice`);
    this.byFeature.set(feature, contributions);
  }

  /** Contributions in feature-name order, so the result never depends on run order. */
  private all(): Contributions[] {
    return [...this.byFeature.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, contributions]) => contributions);
  }

  private mergeRecords(pick: (contributions: Contributions) => Record<string, string> | undefined, what: string): Record<string, string> {
    const merged: Record<string, string> = {};
    for (const [feature, contributions] of [...this.byFeature.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const [key, value] of Object.entries(pick(contributions) ?? {})) {
        if (merged[key] !== undefined && merged[key] !== value) {
          throw new Error(`Conflicting ${what} "${key}" from feature ${feature}: ${merged[key]} vs ${value}`);
        }
        merged[key] = value;
      }
    }
    return sortedRecord(merged);
  }

  packageJson(base: Record<string, unknown>): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    for (const contributions of this.all()) Object.assign(fields, contributions.packageJson?.fields);
    const scripts = this.mergeRecords((c) => c.packageJson?.scripts, 'script');
    const dependencies = this.mergeRecords((c) => c.packageJson?.dependencies, 'dependency');
    const devDependencies = this.mergeRecords((c) => c.packageJson?.devDependencies, 'devDependency');
    const result: Record<string, unknown> = { ...base, ...fields };
    if (Object.keys(scripts).length > 0) result.scripts = scripts;
    if (Object.keys(dependencies).length > 0) result.dependencies = dependencies;
    if (Object.keys(devDependencies).length > 0) result.devDependencies = devDependencies;
    return result;
  }

  env(): EnvVar[] {
    const byName = new Map<string, EnvVar>();
    for (const contributions of this.all()) {
      for (const variable of contributions.env ?? []) {
        const existing = byName.get(variable.name);
        if (existing && JSON.stringify(existing) !== JSON.stringify(variable)) {
          throw new Error(`Environment variable ${variable.name} is declared twice with different settings`);
        }
        byName.set(variable.name, variable);
      }
    }
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  commands(): Command[] {
    const byScript = new Map<string, Command>();
    for (const contributions of this.all()) for (const command of contributions.commands ?? []) byScript.set(command.script, command);
    return [...byScript.values()];
  }

  readmeSections(): ReadmeSection[] {
    return this.all()
      .flatMap((contributions) => contributions.readme ?? [])
      .sort((a, b) => a.order - b.order || (a.title < b.title ? -1 : 1));
  }

  gitignore(): string[] {
    return [...new Set(this.all().flatMap((contributions) => contributions.gitignore ?? []))];
  }
}
