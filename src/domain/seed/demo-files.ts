/** Realistic starting configuration for the demo workspace's tenant-environments. */
import type { FileMap } from '../tenant-environment-files';

export interface DemoService {
  name: string;
  repository: string;
  tag: string;
  replicas: number;
  port: number;
  cpu: string;
  memory: string;
  env: Record<string, string>;
  ingressHost?: string;
}

export function demoServices(tenant: string, environment: string): DemoService[] {
  const production = environment === 'production';
  const common = (name: string, tag: string, port: number, extra: Partial<DemoService> = {}): DemoService => ({
    name,
    repository: `registry.${tenant}.example.com/shop/${name}`,
    tag,
    replicas: production ? 3 : 1,
    port,
    cpu: '250m',
    memory: '256Mi',
    env: { LOG_LEVEL: production ? 'info' : 'debug' },
    ...extra,
  });
  if (tenant === 'globex') {
    return [
      common('api-gateway', 'v2.0.8', 8080, { ingressHost: `api.${environment}.globex.example.com` }),
      common('search', 'v0.9.3', 9200, { memory: '1Gi' }),
      common('notifications', 'v1.2.0', 8081),
    ];
  }
  return [
    common('api-gateway', 'v2.0.8', 8080, { ingressHost: `api.${environment}.acme.example.com` }),
    common('checkout', 'v3.4.1', 8082, { env: { LOG_LEVEL: 'info', FEATURE_CHECKOUT_V2: 'false' } }),
    common('payments', 'v1.4.2', 8083, { memory: '512Mi' }),
    // catalog runs production-sized in staging too (load tests), so promoting it only moves the image tag.
    common('catalog', 'v5.0.0', 8084, { replicas: 3, env: { LOG_LEVEL: 'info' } }),
  ];
}

function valuesYaml(service: DemoService): string {
  const env = Object.entries(service.env)
    .map(([k, v]) => `  ${k}: "${v}"`)
    .join('\n');
  return `# ${service.name} workload configuration
image:
  repository: ${service.repository}
  tag: ${service.tag}
  pullPolicy: IfNotPresent

replicas: ${service.replicas}  # scaled by the platform team

resources:
  requests:
    cpu: ${service.cpu}
    memory: ${service.memory}
  limits:
    cpu: "1"
    memory: ${service.memory}

ports:
  http: ${service.port}

env:
${env}

probes:
  readiness: { path: /healthz, periodSeconds: 10 }
`;
}

function bindingsYaml(service: DemoService): string {
  const manifests = service.ingressHost
    ? `manifests:
  - kind: Ingress
    name: ${service.name}
    host: ${service.ingressHost}
`
    : 'manifests: []\n';
  return `# Kustomize and manifest bindings for ${service.name}
kustomize:
  base: bases/web-service
  patches:
    - patches/pod-disruption-budget.yaml
${manifests}`;
}

function variablesYaml(tenant: string, environment: string, services: DemoService[]): string {
  const scoped = services
    .map((s) => `  ${s.name}:\n    SERVICE_NAME: ${s.name}\n    TIMEOUT_MS: "${s.name === 'payments' ? 5000 : 3000}"`)
    .join('\n');
  return `# HQ Variables for ${tenant}/${environment}
# Top-level keys apply to every service; services.<name> applies to one.
REGION: eu-west-1
LOG_FORMAT: json
OTEL_ENDPOINT: http://otel-collector.observability:4317
services:
${scoped}
`;
}

function environmentYaml(tenant: string, environment: string): string {
  return `# Environment-level configuration
name: ${environment}
namespace: ${tenant}-${environment}
cluster: ${environment === 'production' ? 'prod-eu-1' : 'staging-eu-1'}
syncPolicy:
  automated: true
  prune: true
`;
}

export function demoFiles(tenant: string, environment: string): FileMap {
  const services = demoServices(tenant, environment);
  const files: FileMap = new Map([
    ['environment.yaml', environmentYaml(tenant, environment)],
    ['variables.yaml', variablesYaml(tenant, environment, services)],
  ]);
  for (const service of services) {
    files.set(`services/${service.name}/values.yaml`, valuesYaml(service));
    files.set(`services/${service.name}/bindings.yaml`, bindingsYaml(service));
  }
  return files;
}
