/**
 * Every slot's merge rule: sorted (or ordered as documented), duplicates
 * collapsed, and conflicting contributions failing the run with both features
 * named. The Assembly merges in feature-name order whatever the run order.
 */
import { describe, expect, it } from 'vitest';
import { composeServicesSlot } from '../generators/compose/slots.ts';
import { Assembly } from '../generators/core/assembly.ts';
import { defineSlot, definedSlots, keyedList, type Contribution, type Slot } from '../generators/core/slot.ts';
import {
  adrsSlot,
  alertsSlot,
  checklistSlot,
  ciJobsSlot,
  commandsSlot,
  docsSlot,
  envSlot,
  gitignoreSlot,
  kustomizeSlot,
  networkPolicySlot,
  packageJsonSlot,
  readmeSlot,
  recordingRulesSlot,
  type AlertDeclaration,
  type Adr,
  type CiJob,
  type EnvVar,
} from '../generators/core/slots.ts';

/** Merges contributions given as [feature, contributions] pairs through a real Assembly. */
function merge<Merged>(slot: Slot<never, Merged>, ...byFeature: [string, Contribution[]][]): Merged {
  const assembly = new Assembly();
  for (const [feature, contributions] of byFeature) assembly.add(feature, contributions);
  return assembly.get(slot);
}

const variable = (name: string, extra: Partial<EnvVar> = {}): EnvVar => ({ name, description: `${name} variable`, required: false, secret: false, ...extra });

describe('slot registry', () => {
  it('holds every standard slot under its name', () => {
    const names = [...definedSlots().keys()];
    for (const name of ['packageJson', 'env', 'commands', 'readme', 'gitignore', 'kustomize', 'networkPolicy', 'alerts', 'recordingRules', 'adrs', 'checklist', 'ciJobs', 'docs', 'composeServices']) {
      expect(names).toContain(name);
    }
  });

  it('refuses a second slot with a taken name', () => {
    expect(() => defineSlot('env', keyedList('env', (item: string) => item))).toThrow('A slot named env is already defined');
  });

  it('is open: a new slot needs no change to the core', () => {
    const tagsSlot = defineSlot<string, string[]>('test-tags', (items) => items.map((entry) => `${entry.source}:${entry.item}`));
    expect(merge(tagsSlot, ['b', [tagsSlot.of('two')]], ['a', [tagsSlot.of('one')]])).toEqual(['a:one', 'b:two']);
  });
});

describe('packageJson', () => {
  it('merges scripts and dependencies sorted by name, and fields in the order given', () => {
    const merged = merge(
      packageJsonSlot,
      ['service', [packageJsonSlot.of({ scripts: { test: 'vitest', build: 'tsc' }, dependencies: { zod: '4' } })]],
      ['repo', [packageJsonSlot.of({ fields: { name: 'x', version: '1.0.0' }, scripts: { format: 'prettier' }, dependencies: { ajv: '8' } })]],
    );
    expect(merged.fields).toEqual({ name: 'x', version: '1.0.0' });
    expect(Object.keys(merged.scripts)).toEqual(['build', 'format', 'test']);
    expect(merged.dependencies).toEqual({ ajv: '8', zod: '4' });
    expect(merged.devDependencies).toEqual({});
  });

  it('accepts the same dependency twice at the same version and fails on two versions, naming both features', () => {
    const same = merge(packageJsonSlot, ['a', [packageJsonSlot.of({ dependencies: { pg: '8.1.0' } })]], ['b', [packageJsonSlot.of({ dependencies: { pg: '8.1.0' } })]]);
    expect(same.dependencies).toEqual({ pg: '8.1.0' });
    expect(() => merge(packageJsonSlot, ['a', [packageJsonSlot.of({ dependencies: { pg: '8.1.0' } })]], ['b', [packageJsonSlot.of({ dependencies: { pg: '9.0.0' } })]])).toThrow(
      'Slot packageJson: dependency "pg" is contributed differently by feature a and feature b ("8.1.0" vs "9.0.0")',
    );
    expect(() => merge(packageJsonSlot, ['a', [packageJsonSlot.of({ fields: { type: 'module' } })]], ['b', [packageJsonSlot.of({ fields: { type: 'commonjs' } })]])).toThrow(
      'Slot packageJson: field "type" is contributed differently by feature a and feature b',
    );
  });
});

describe('env', () => {
  it('sorts by name and counts an identical declaration once', () => {
    const merged = merge(envSlot, ['b', [envSlot.of(variable('PORT'), variable('HOST'))]], ['a', [envSlot.of(variable('PORT'))]]);
    expect(merged.map((entry) => entry.name)).toEqual(['HOST', 'PORT']);
  });

  it('fails when two features declare one variable differently', () => {
    expect(() => merge(envSlot, ['service', [envSlot.of(variable('PORT', { default: '3000' }))]], ['backup', [envSlot.of(variable('PORT', { default: '8080' }))]])).toThrow(
      'Slot env: PORT is contributed differently by feature backup and feature service',
    );
  });
});

describe('commands, readme and gitignore', () => {
  it('lists commands in feature order, then the order each feature gave them', () => {
    const merged = merge(
      commandsSlot,
      ['service', [commandsSlot.of({ script: 'test', description: 't' }, { script: 'build', description: 'b' })]],
      ['repo', [commandsSlot.of({ script: 'format', description: 'f' })]],
    );
    expect(merged.map((command) => command.script)).toEqual(['format', 'test', 'build']);
    expect(() => merge(commandsSlot, ['a', [commandsSlot.of({ script: 'test', description: 'one' })]], ['b', [commandsSlot.of({ script: 'test', description: 'two' })]])).toThrow(
      'Slot commands: test is contributed differently by feature a and feature b',
    );
  });

  it('orders README sections by order, then title', () => {
    const merged = merge(
      readmeSlot,
      ['x', [readmeSlot.of({ title: 'Zeta', body: 'z', order: 10 }, { title: 'Beta', body: 'b', order: 30 })]],
      ['y', [readmeSlot.of({ title: 'Alpha', body: 'a', order: 10 })]],
    );
    expect(merged.map((section) => section.title)).toEqual(['Alpha', 'Zeta', 'Beta']);
  });

  it('keeps .gitignore lines in first-occurrence order without duplicates', () => {
    expect(merge(gitignoreSlot, ['service', [gitignoreSlot.of('.data/', 'dist/')]], ['repo', [gitignoreSlot.of('node_modules/', 'dist/')]])).toEqual(['node_modules/', 'dist/', '.data/']);
  });
});

describe('kustomize', () => {
  it('groups entries by kustomization, sorts resources and components, keeps patch order, merges images by name', () => {
    const merged = merge(
      kustomizeSlot,
      [
        'kubernetes',
        [
          kustomizeSlot.of(
            { kustomization: 'base', resources: ['service.yaml', 'deployment.yaml'] },
            { kustomization: 'overlays/production', resources: ['../../base'], patches: [{ path: 'replicas.yaml' }], images: [{ name: 'app', digest: 'sha256:1' }] },
          ),
        ],
      ],
      ['backup', [kustomizeSlot.of({ kustomization: 'overlays/production', components: ['../../components/backup'], patches: [{ path: 'backup-schedule.yaml' }, { path: 'replicas.yaml' }] })]],
    );
    expect([...merged.keys()]).toEqual(['base', 'overlays/production']);
    expect(merged.get('base')?.resources).toEqual(['deployment.yaml', 'service.yaml']);
    const production = merged.get('overlays/production');
    expect(production?.components).toEqual(['../../components/backup']);
    expect(production?.patches).toEqual([{ path: 'backup-schedule.yaml' }, { path: 'replicas.yaml' }]);
    expect(production?.images).toEqual([{ name: 'app', digest: 'sha256:1' }]);
  });

  it('merges ConfigMap generators by name and fails on one name generated two ways', () => {
    const merged = merge(
      kustomizeSlot,
      ['backup', [kustomizeSlot.of({ kustomization: 'components/backup', configMapGenerator: [{ name: 'scripts', files: ['scripts/backup.sh'] }, { name: 'config', envs: ['backup.env'] }] })]],
    );
    expect(merged.get('components/backup')?.configMapGenerator).toEqual([
      { name: 'config', envs: ['backup.env'] },
      { name: 'scripts', files: ['scripts/backup.sh'] },
    ]);
    expect(() =>
      merge(
        kustomizeSlot,
        ['a', [kustomizeSlot.of({ kustomization: 'components/backup', configMapGenerator: [{ name: 'config', envs: ['a.env'] }] })]],
        ['b', [kustomizeSlot.of({ kustomization: 'components/backup', configMapGenerator: [{ name: 'config', envs: ['b.env'] }] })]],
      ),
    ).toThrow('config is contributed differently by feature a and feature b');
  });

  it('fails on one image pinned two ways, and on an unknown kustomization directory', () => {
    expect(() =>
      merge(
        kustomizeSlot,
        ['a', [kustomizeSlot.of({ kustomization: 'overlays/staging', images: [{ name: 'app', digest: 'sha256:1' }] })]],
        ['b', [kustomizeSlot.of({ kustomization: 'overlays/staging', images: [{ name: 'app', digest: 'sha256:2' }] })]],
      ),
    ).toThrow('Slot kustomize overlays/staging images: app is contributed differently by feature a and feature b');
    expect(() => merge(kustomizeSlot, ['a', [kustomizeSlot.of({ kustomization: 'deploy/base' })]])).toThrow(
      'Slot kustomize: feature a names kustomization "deploy/base"; use base, components/<name> or overlays/<environment>',
    );
  });
});

describe('networkPolicy', () => {
  it('keys allows by name and fails on one name with two rules', () => {
    const dns = { name: 'egress-dns', direction: 'egress' as const, peers: [], ports: [{ port: 53, protocol: 'UDP' as const }], why: 'DNS' };
    expect(merge(networkPolicySlot, ['a', [networkPolicySlot.of(dns)]], ['b', [networkPolicySlot.of(dns)]])).toEqual([dns]);
    expect(() => merge(networkPolicySlot, ['a', [networkPolicySlot.of(dns)]], ['b', [networkPolicySlot.of({ ...dns, ports: [{ port: 5353, protocol: 'UDP' }] })]])).toThrow(
      'Slot networkPolicy: egress-dns is contributed differently by feature a and feature b',
    );
  });
});

describe('composeServices', () => {
  it('sorts services by name and fails on one name with two definitions', () => {
    const grafana = { name: 'grafana', service: { image: 'grafana/grafana:12.1.1' }, volumes: ['grafana-data'] };
    const prometheus = { name: 'prometheus', service: { image: 'prom/prometheus:v3.5.0' } };
    expect(merge(composeServicesSlot, ['b', [composeServicesSlot.of(prometheus)]], ['a', [composeServicesSlot.of(grafana)]]).map((entry) => entry.name)).toEqual(['grafana', 'prometheus']);
    expect(() => merge(composeServicesSlot, ['a', [composeServicesSlot.of(grafana)]], ['b', [composeServicesSlot.of({ ...grafana, volumes: [] })]])).toThrow(
      'Slot composeServices: grafana is contributed differently by feature a and feature b',
    );
  });
});

describe('alerts and recording rules', () => {
  const alert = (name: string, severity: AlertDeclaration['severity'] = 'critical'): AlertDeclaration => ({
    name,
    group: 'test',
    expr: 'up == 0',
    for: '5m',
    severity,
    summary: 's',
    description: 'd',
    firing: [],
    notFiring: [],
    runbook: { meaning: 'm', impact: 'i', diagnosis: 'd', mitigation: 'm' },
  });

  it('sorts alerts by name and fails on one name declared twice differently', () => {
    expect(merge(alertsSlot, ['b', [alertsSlot.of(alert('TargetDown'))]], ['a', [alertsSlot.of(alert('BackupTooOld'))]]).map((entry) => entry.name)).toEqual([
      'BackupTooOld',
      'TargetDown',
    ]);
    expect(() => merge(alertsSlot, ['a', [alertsSlot.of(alert('TargetDown'))]], ['b', [alertsSlot.of(alert('TargetDown', 'warning'))]])).toThrow(
      'Slot alerts: TargetDown is contributed differently by feature a and feature b',
    );
  });

  it('keys recording rules by record and labels', () => {
    const merged = merge(
      recordingRulesSlot,
      ['a', [recordingRulesSlot.of({ record: 'sli:ratio', expr: 'a', group: 'slo', labels: { window: '5m' } }, { record: 'sli:ratio', expr: 'b', group: 'slo', labels: { window: '1h' } })]],
    );
    expect(merged.map((rule) => rule.labels?.window)).toEqual(['1h', '5m']);
  });
});

describe('adrs, checklist, ciJobs and docs', () => {
  const adr = (slug: string, order: number): Adr => ({
    slug,
    title: slug,
    status: 'accepted',
    order,
    context: 'c',
    drivers: [],
    options: [],
    outcome: { chosen: 'x', because: 'y' },
    consequences: { good: [], bad: [] },
    confirmation: 'z',
  });

  it('orders ADRs by their order and fails on one slug with two decisions', () => {
    expect(merge(adrsSlot, ['a', [adrsSlot.of(adr('runtime', 1), adr('deploy', 5))]], ['b', [adrsSlot.of(adr('database', 2))]]).map((entry) => entry.slug)).toEqual([
      'runtime',
      'database',
      'deploy',
    ]);
    expect(() => merge(adrsSlot, ['a', [adrsSlot.of(adr('deploy', 5))]], ['b', [adrsSlot.of(adr('deploy', 6))]])).toThrow('Slot adrs: deploy is contributed differently by feature a and feature b');
  });

  it('groups checklist items by OWASP category, then id', () => {
    const merged = merge(
      checklistSlot,
      [
        'a',
        [
          checklistSlot.of(
            { id: 'pod-security', category: 'A02', asvs: [], text: 't', implementedBy: { file: 'deploy/kubernetes/base/deployment.yaml' } },
            { id: 'authz', category: 'A01', asvs: ['V8.2.1'], text: 't', implementedBy: { manual: 'the service owner' } },
          ),
        ],
      ],
      ['b', [checklistSlot.of({ id: 'dependency-pins', category: 'A03', asvs: [], text: 't', implementedBy: { file: 'package-lock.json' } })]],
    );
    expect(merged.map((item) => item.id)).toEqual(['authz', 'pod-security', 'dependency-pins']);
  });

  it('sorts CI jobs by name and fails on one job name from two features', () => {
    const job = (name: string, timeoutMinutes = 10): CiJob => ({ name, on: { pullRequest: true }, needs: [], services: [], env: {}, node: true, steps: [], artifacts: [], caches: [], permissions: {}, timeoutMinutes });
    expect(merge(ciJobsSlot, ['b', [ciJobsSlot.of(job('test'))]], ['a', [ciJobsSlot.of(job('build'))]]).map((entry) => entry.name)).toEqual(['build', 'test']);
    expect(() => merge(ciJobsSlot, ['a', [ciJobsSlot.of(job('test'))]], ['b', [ciJobsSlot.of(job('test', 20))]])).toThrow('Slot ciJobs: test is contributed differently by feature a and feature b');
  });

  it('orders doc sections by page, then order', () => {
    const merged = merge(
      docsSlot,
      ['a', [docsSlot.of({ page: 'docs/operations.md', title: 'On call', order: 2, body: 'b' }, { page: 'docs/deployment.md', title: 'Rollback', order: 9, body: 'b' })]],
      ['b', [docsSlot.of({ page: 'docs/operations.md', title: 'SLO', order: 1, body: 'b' })]],
    );
    expect(merged.map((section) => `${section.page}#${section.title}`)).toEqual(['docs/deployment.md#Rollback', 'docs/operations.md#SLO', 'docs/operations.md#On call']);
  });
});

describe('Assembly', () => {
  it('merges in feature-name order whatever order features contributed in', () => {
    const one = merge(commandsSlot, ['b', [commandsSlot.of({ script: 'y', description: '' })]], ['a', [commandsSlot.of({ script: 'x', description: '' })]]);
    const two = merge(commandsSlot, ['a', [commandsSlot.of({ script: 'x', description: '' })]], ['b', [commandsSlot.of({ script: 'y', description: '' })]]);
    expect(one).toEqual(two);
  });

  it('lets a feature read only the slots it declares', () => {
    const assembly = new Assembly();
    assembly.add('service', [envSlot.of(variable('PORT'))]);
    expect(assembly.view('compose', [envSlot]).get(envSlot).map((entry) => entry.name)).toEqual(['PORT']);
    expect(() => assembly.view('compose', [envSlot]).get(readmeSlot)).toThrow('Feature compose reads slot readme without declaring it in reads');
    expect(() => (assembly.locals('repo', [readmeSlot]) as Record<string, unknown>).env).toThrow(
      'A template of feature repo reads assembled.env, a slot the feature does not declare in reads',
    );
  });

  it('refuses a second contribution from one feature', () => {
    const assembly = new Assembly();
    assembly.add('service', []);
    expect(() => assembly.add('service', [])).toThrow('Feature service contributed twice');
  });
});

describe('composeServices', () => {
  it('lists services by name and fails on one name contributed two ways', () => {
    const merged = merge(
      composeServicesSlot,
      ['monitoring', [composeServicesSlot.of({ name: 'prometheus', service: { image: 'prom' } })]],
      ['backup', [composeServicesSlot.of({ name: 'backup', service: { image: 'backup' }, profiles: ['backup'] })]],
    );
    expect(merged.map((service) => service.name)).toEqual(['backup', 'prometheus']);
    expect(() =>
      merge(composeServicesSlot, ['a', [composeServicesSlot.of({ name: 'backup', service: { image: 'a' } })]], ['b', [composeServicesSlot.of({ name: 'backup', service: { image: 'b' } })]]),
    ).toThrow('Slot composeServices: backup is contributed differently by feature a and feature b');
  });
});
