/** The decision the Kubernetes deploy target made: Kustomize overlays rather than Helm. */
import type { Facts } from '../core/facts.ts';
import type { Adr } from '../core/slots.ts';

export function kubernetesAdr(facts: Facts): Adr {
  return {
    slug: 'kustomize-overlays',
    title: 'Deploy to Kubernetes with a Kustomize base and per-environment overlays',
    status: 'accepted',
    order: 40,
    context: `${facts.title} runs on Kubernetes in a staging and a production environment that differ in a few values (replicas, resources, host names, log level). The manifests must be reviewable line by line, validated strictly before they reach a cluster, and changed per environment without copying files.`,
    drivers: [
      'Reviewers read the exact objects that are applied.',
      'Per-environment differences are small and must stay visible.',
      'No extra tooling beyond kubectl (Kustomize is built in).',
      'Every rendered object passes strict schema validation and the restricted Pod Security Standard.',
    ],
    options: [
      {
        title: 'Kustomize base, components and overlays',
        description: 'Plain manifests in `deploy/kubernetes/base`, optional parts as `kind: Component`, `overlays/staging` and `overlays/production` patching the base.',
        pros: ['Plain YAML: what is reviewed is what is applied.', 'Built into kubectl (`kubectl apply -k`).', 'ConfigMap hash suffixes roll pods on configuration changes.'],
        cons: ['No release history or hooks of its own: migrations and rollbacks are ordered by the deploy procedure.', 'Patches can be harder to follow than template values for large variations.'],
      },
      {
        title: 'A Helm chart with values files per environment',
        pros: ['Release history with `helm rollback`; hooks for migrations.', 'Familiar packaging for sharing the service with other teams.'],
        cons: ['Go templates over YAML: the applied objects are only visible after rendering.', 'One more tool and its release state in the cluster.'],
      },
      {
        title: 'Hand-maintained manifests per environment',
        pros: ['No tooling at all.'],
        cons: ['Every change is made twice; environments drift.'],
      },
    ],
    outcome: {
      chosen: 'Kustomize base, components and overlays',
      because: 'it keeps the applied objects plain and reviewable, needs nothing beyond kubectl, and keeps environment differences to a few small patches.',
    },
    consequences: {
      good: ['`kubectl kustomize deploy/kubernetes/overlays/<environment>` shows exactly what will be applied.', 'Optional parts (migrations, egress to Postgres or Redis, External Secrets) are components an overlay lists.'],
      bad: ['The deploy procedure (docs/deployment.md) orders the migration Job before the rollout, which Helm hooks would do.'],
    },
    confirmation: 'The matrix builds every overlay with kustomize and validates every object with kubeconform (strict), kube-score, checkov and the restricted Pod Security Standard (the checks of the Kubernetes PodSecurity admission plugin, k8s.io/pod-security-admission); `docs/deployment.md` documents the commands.',
  };
}
