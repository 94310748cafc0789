/**
 * The Kubernetes objects of the service, as data: a restricted, non-root pod
 * (Pod Security Standard "restricted"), probes on the service's own health
 * endpoints, resources, spread, disruption budget, autoscaling, default-deny
 * networking with explicit allows, and TLS ingress through cert-manager.
 *
 * Rules come from RUBRIC §3 and the Kubernetes documentation: Pod Security
 * Standards (restricted profile), "Configure Liveness, Readiness and Startup
 * Probes", "Pod Lifecycle" (termination), PodDisruptionBudget
 * (unhealthyPodEvictionPolicy), HorizontalPodAutoscaler autoscaling/v2.
 */
import type { Facts } from '../core/facts.ts';
import type { EnvVar, NetworkPolicyAllow } from '../core/slots.ts';

type Manifest = Record<string, unknown>;

/** Seconds the pod sleeps in preStop, so endpoints and load balancers stop routing to it before SIGTERM. */
export const PRE_STOP_SLEEP_SECONDS = 5;
/** Margin on top of preStop plus the app's own shutdown budget before the kubelet sends SIGKILL. */
const GRACE_MARGIN_SECONDS = 10;

/**
 * terminationGracePeriodSeconds: preStop sleep + the app's hard shutdown
 * timeout (SHUTDOWN_TIMEOUT_MS, which includes its drain) + a margin, so the
 * app always finishes its own shutdown before SIGKILL.
 */
export function terminationGraceSeconds(facts: Facts): number {
  return PRE_STOP_SLEEP_SECONDS + Math.ceil(facts.shutdown.timeoutMs / 1000) + GRACE_MARGIN_SECONDS;
}

/** Labels that select the service's pods; never changed by overlays (selectors are immutable). */
export function selectorLabels(facts: Facts, component: 'api' | 'migration'): Record<string, string> {
  return { 'app.kubernetes.io/name': facts.name, 'app.kubernetes.io/component': component };
}

export const configMapName = (facts: Facts) => `${facts.name}-config`;
export const secretName = (facts: Facts) => `${facts.name}-secrets`;

/** The restricted security context of every container (Pod Security Standards, restricted). */
export function containerSecurityContext(facts: Facts): Manifest {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: facts.appUid,
    runAsGroup: facts.appGid,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The restricted pod security context (Pod Security Standards, restricted). */
export function podSecurityContext(facts: Facts): Manifest {
  return {
    runAsNonRoot: true,
    runAsUser: facts.appUid,
    runAsGroup: facts.appGid,
    fsGroup: facts.appGid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Secret variables as secretKeyRef to the Secret the manifests never contain; optional ones may be absent. */
export function secretEnv(facts: Facts, env: readonly EnvVar[]): Manifest[] {
  return env
    .filter((variable) => variable.secret)
    .map((variable) => ({
      name: variable.name,
      valueFrom: { secretKeyRef: { name: secretName(facts), key: variable.name, ...(variable.required ? {} : { optional: true }) } },
    }));
}

/** A size-limited emptyDir for /tmp under the read-only root filesystem. */
export const tmpVolume = (sizeLimit: string) => ({ name: 'tmp', emptyDir: { sizeLimit } });
export const tmpMount = { name: 'tmp', mountPath: '/tmp' };

export function namespace(facts: Facts): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: facts.namespace,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
      },
    },
  };
}

export function serviceAccount(facts: Facts): Manifest {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: facts.name }, automountServiceAccountToken: false };
}

export function deployment(facts: Facts, env: readonly EnvVar[]): Manifest {
  const selector = selectorLabels(facts, 'api');
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  });
  const secrets = secretEnv(facts, env);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: facts.name },
    spec: {
      // No replicas: the HorizontalPodAutoscaler owns the count.
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: selector },
        spec: {
          serviceAccountName: facts.name,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(facts),
          terminationGracePeriodSeconds: terminationGraceSeconds(facts),
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
          ],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } },
              ],
            },
          },
          containers: [
            {
              name: 'app',
              image: facts.image,
              imagePullPolicy: 'Always',
              ports: [{ name: 'http', containerPort: facts.appPort, protocol: 'TCP' }],
              envFrom: [{ configMapRef: { name: configMapName(facts) } }],
              ...(secrets.length > 0 ? { env: secrets } : {}),
              resources: {
                requests: { cpu: '100m', memory: '192Mi', 'ephemeral-storage': '64Mi' },
                limits: { cpu: '1', memory: '384Mi', 'ephemeral-storage': '128Mi' },
              },
              // Startup: up to 60 s to start; liveness only checks the process, readiness its dependencies.
              startupProbe: probe(facts.paths.liveness, 2, 30),
              livenessProbe: probe(facts.paths.liveness, 10, 3),
              readinessProbe: probe(facts.paths.readiness, 5, 2),
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } },
              securityContext: containerSecurityContext(facts),
              volumeMounts: [tmpMount],
            },
          ],
          volumes: [tmpVolume('64Mi')],
        },
      },
    },
  };
}

export function service(facts: Facts): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: facts.name },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(facts, 'api'),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

export function podDisruptionBudget(facts: Facts): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: facts.name },
    spec: {
      minAvailable: 1,
      // Pods that never became ready may always be evicted, so a broken rollout cannot block node drains.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: selectorLabels(facts, 'api') },
    },
  };
}

export function horizontalPodAutoscaler(facts: Facts): Manifest {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: facts.name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: facts.name },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

/** Denies all ingress and egress of every pod in the namespace; the service's policies then allow what it needs. */
export function defaultDenyPolicy(): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/**
 * One NetworkPolicy holding allow rules, for every pod of the service (the API
 * and its migration Job): ingress rules only matter where something listens.
 */
export function allowPolicy(facts: Facts, name: string, allows: readonly NetworkPolicyAllow[]): Manifest {
  const components = new Set(allows.map((allow) => allow.podComponent));
  if (components.size > 1) throw new Error(`NetworkPolicy ${name}: its allows name different pod components (${[...components].join(', ')})`);
  const component = allows[0]?.podComponent;
  const rule = (allow: NetworkPolicyAllow) => ({
    ...(allow.peers.length > 0 ? { [allow.direction === 'ingress' ? 'from' : 'to']: allow.peers } : {}),
    ports: allow.ports.map((port) => ({ protocol: port.protocol, port: port.port })),
  });
  const ingress = allows.filter((allow) => allow.direction === 'ingress');
  const egress = allows.filter((allow) => allow.direction === 'egress');
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name,
      annotations: Object.fromEntries(allows.map((allow) => [`${facts.name}.policy/${allow.name}`, allow.why])),
    },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': facts.name, ...(component ? { 'app.kubernetes.io/component': component } : {}) } },
      policyTypes: [...(ingress.length > 0 ? ['Ingress'] : []), ...(egress.length > 0 ? ['Egress'] : [])],
      ...(ingress.length > 0 ? { ingress: ingress.map(rule) } : {}),
      ...(egress.length > 0 ? { egress: egress.map(rule) } : {}),
    },
  };
}

/** The ingress controller's namespace (ingress-nginx's default). */
export const INGRESS_NAMESPACE = 'ingress-nginx';

/** The allows the base itself needs: DNS out, and the ingress controller in. */
export function baseAllows(facts: Facts): NetworkPolicyAllow[] {
  return [
    {
      name: 'egress-dns',
      direction: 'egress',
      peers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ],
      why: 'Name resolution through the cluster DNS (kube-dns / CoreDNS in kube-system).',
    },
    {
      name: 'ingress-controller',
      direction: 'ingress',
      peers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': INGRESS_NAMESPACE } } }],
      ports: [{ port: facts.appPort, protocol: 'TCP' }],
      why: `HTTP from the ingress controller (namespace ${INGRESS_NAMESPACE}) to the app port.`,
    },
  ];
}

export function ingress(facts: Facts): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: facts.name,
      annotations: {
        // cert-manager issues and renews the certificate in the TLS secret below.
        'cert-manager.io/cluster-issuer': 'letsencrypt-production',
        'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
        'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
      },
    },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: [`${facts.name}.example.com`], secretName: `${facts.name}-tls` }],
      rules: [
        {
          host: `${facts.name}.example.com`,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: facts.name, port: { name: 'http' } } } }] },
        },
      ],
    },
  };
}

/**
 * The migrations Job: the same image, `node dist/migrate.js`, the restricted
 * pod, bounded retries and run time; deleted an hour after it finished.
 */
export function migrationJob(facts: Facts, env: readonly EnvVar[]): Manifest {
  const selector = selectorLabels(facts, 'migration');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${facts.name}-migrate`, labels: selector },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: selector },
        spec: {
          serviceAccountName: facts.name,
          automountServiceAccountToken: false,
          restartPolicy: 'Never',
          securityContext: podSecurityContext(facts),
          containers: [
            {
              name: 'migrate',
              image: facts.image,
              imagePullPolicy: 'Always',
              command: facts.migrateCommand,
              envFrom: [{ configMapRef: { name: configMapName(facts) } }],
              env: secretEnv(facts, env).filter((variable) => variable.name === 'DATABASE_URL'),
              resources: {
                requests: { cpu: '50m', memory: '128Mi', 'ephemeral-storage': '32Mi' },
                limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
              },
              securityContext: containerSecurityContext(facts),
              volumeMounts: [tmpMount],
            },
          ],
          volumes: [tmpVolume('32Mi')],
        },
      },
    },
  };
}

/**
 * An External Secrets Operator ExternalSecret that fills the service's Secret
 * from a secret manager, one key per secret variable.
 */
export function externalSecret(facts: Facts, env: readonly EnvVar[]): Manifest {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: secretName(facts) },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'secret-store' },
      target: { name: secretName(facts), creationPolicy: 'Owner' },
      data: env
        .filter((variable) => variable.secret)
        .map((variable) => ({ secretKey: variable.name, remoteRef: { key: `${facts.name}/${variable.name}` } })),
    },
  };
}
