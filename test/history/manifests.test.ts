import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateManifest, type ManifestInputs } from '../../src/domain/delivery/generate-manifest';
import { readFiles, servicesIn, withRegeneratedManifests } from '../../src/domain/tenant-environment-files';
import { git } from '../kit/git-cli';
import { createTestApp, type TestApp } from '../kit/app';
import { ok } from '../kit/client';
import { DeployReleaseDocument } from '../kit/documents/history';
import { PROD, STAGING, fileAt, teDir } from './helpers';

const TENANT_ENVIRONMENTS = [
  { project: 'shop', tenant: 'acme', environment: 'staging' },
  { project: 'shop', tenant: 'acme', environment: 'production' },
  { project: 'shop', tenant: 'globex', environment: 'staging' },
  { project: 'shop', tenant: 'globex', environment: 'production' },
];

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

function parseManifest(text: string): K8sObject[] {
  const documents = parseAllDocuments(text);
  for (const document of documents) expect(document.errors, String(document.errors)).toEqual([]);
  return documents.map((document) => document.toJS() as K8sObject);
}

describe('the delivery generator', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('writes a Deployment, a Service and a ConfigMap that parse and carry the image and replicas of values.yaml', () => {
    const manifest = fileAt(t, 'main', `${teDir(PROD)}/manifests/checkout.yaml`);
    const [deployment, service, configMap, ...rest] = parseManifest(manifest);
    expect(rest).toEqual([]);
    expect(deployment).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'checkout', namespace: 'acme-production' },
      spec: { replicas: 5, selector: { matchLabels: { 'app.kubernetes.io/name': 'checkout' } } },
    });
    const container = (deployment!.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0]!;
    expect(container).toMatchObject({
      name: 'checkout',
      image: 'registry.acme.example.com/shop/checkout:v3.4.1',
      ports: [{ name: 'http', containerPort: 8082 }],
      env: [
        { name: 'FEATURE_CHECKOUT_V2', value: 'false' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      envFrom: [{ configMapRef: { name: 'checkout-variables' } }],
    });
    expect(service).toMatchObject({ kind: 'Service', metadata: { name: 'checkout', namespace: 'acme-production' } });
    expect(service!.spec).toMatchObject({ ports: [{ name: 'http', port: 8082, targetPort: 8082 }] });
    // Global variables overlaid with the service-scoped ones.
    expect(configMap).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'checkout-variables' },
      data: { REGION: 'eu-west-1', LOG_FORMAT: 'text', SERVICE_NAME: 'checkout', TIMEOUT_MS: '3000' },
    });
    expect(configMap!.data).not.toHaveProperty('services');
  });

  it('writes plain YAML that any Kubernetes tool reads: no anchors or aliases, string values quoted where YAML would retype them', () => {
    for (const te of TENANT_ENVIRONMENTS) {
      for (const file of git(t.repoDir, ['ls-tree', '--name-only', `main:${teDir(te)}/manifests`]).split('\n')) {
        const text = fileAt(t, 'main', `${teDir(te)}/manifests/${file}`);
        expect(text, `${te.tenant}/${te.environment}/${file}`).not.toMatch(/[&*][a-z]+\d*\s*$/m);
        for (const document of parseAllDocuments(text)) {
          expect(document.errors).toEqual([]);
          // Every ConfigMap value and env value is a string, as Kubernetes requires.
          const object = document.toJS() as K8sObject;
          if (object.kind === 'ConfigMap') for (const value of Object.values(object.data ?? {})) expect(typeof value).toBe('string');
        }
      }
    }
  });

  it('carries a release into the manifest of the same commit (image and replicas)', async () => {
    const { deployRelease } = ok(
      await t.gql('DEPLOYER', DeployReleaseDocument, {
        input: {
          ...STAGING,
          services: [{ service: 'payments', setFields: [{ path: 'image.tag', value: 'v1.6.0' }, { path: 'replicas', value: 3 }] }],
        },
      }),
    );
    const [deployment] = parseManifest(fileAt(t, deployRelease.revision, `${teDir(STAGING)}/manifests/payments.yaml`));
    expect(deployment!.spec!.replicas).toBe(3);
    expect(JSON.stringify(deployment)).toContain('"image":"registry.acme.example.com/shop/payments:v1.6.0"');
  });

  it('is deterministic: the same inputs give the same bytes, whatever the key order of the inputs', () => {
    const inputs: ManifestInputs = {
      project: 'shop',
      tenant: 'acme',
      environment: 'staging',
      service: 'api',
      values: { image: { repository: 'r/api', tag: 'v1' }, replicas: 2, env: { B: '2', A: '1' }, ports: { metrics: 9090, http: 8080 } },
      bindings: { kustomize: { base: 'bases/web', patches: ['p.yaml'] } },
      variables: { Z: 'z', A: 'a', services: { api: { TIMEOUT: 5 } } },
      environmentConfig: { namespace: 'acme-staging' },
    };
    const reordered: ManifestInputs = {
      ...inputs,
      values: { ports: { http: 8080, metrics: 9090 }, env: { A: '1', B: '2' }, replicas: 2, image: { tag: 'v1', repository: 'r/api' } },
      variables: { services: { api: { TIMEOUT: 5 } }, A: 'a', Z: 'z' },
    };
    const first = generateManifest(inputs);
    expect(generateManifest(structuredClone(inputs))).toBe(first);
    expect(generateManifest(reordered)).toBe(first);
    const [deployment, , configMap] = parseManifest(first);
    expect(deployment!.spec!.replicas).toBe(2);
    expect(configMap!.data).toEqual({ A: 'a', TIMEOUT: '5', Z: 'z' });
  });

  it('never lags its inputs: regenerating at every revision of the demo history gives the committed bytes', async () => {
    const store = await t.app.backend.repositories.forProject('shop');
    for (const te of TENANT_ENVIRONMENTS) {
      for (const revision of git(t.repoDir, ['rev-list', 'main', '--', teDir(te)]).split('\n')) {
        const files = await readFiles(store, revision, te);
        const regenerated = withRegeneratedManifests(files, servicesIn(files), te);
        for (const service of servicesIn(files)) {
          const path = `manifests/${service}.yaml`;
          expect(files.get(path), `${te.tenant}/${te.environment}@${revision.slice(0, 7)} ${path}`).toBe(regenerated.get(path));
        }
      }
    }
  });
});
