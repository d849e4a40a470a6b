/**
 * A fresh data directory (SQLite + bare repository) with one project whose tenant-environments hold
 * N services each, built through the domain (the same write path as the product).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import type { Actor } from '../../src/domain/actor';
import { authenticate } from '../../src/domain/auth';
import { createOrganization, createProject, createUser, createUserToken, grantRole } from '../../src/domain/admin';
import { commitTenantEnvironmentChange } from '../../src/domain/commit-change';
import { formatCommitMessage } from '../../src/domain/commit-metadata';
import { registerTenantEnvironment } from '../../src/domain/history/index-history';
import { requireOpenTenantEnvironment } from '../../src/domain/history/queries';
import type { TenantEnvironment } from '../../src/domain/model';
import type { Backend } from '../../src/domain/ports';
import type { FileMap } from '../../src/domain/tenant-environment-files';
import { buildApp, type App } from '../../src/app';
import { createLogger } from '../../src/logger';
import { openBackend } from '../../src/server/backend';

export const PROJECT = 'bench';
export const AUTHOR = { name: 'Bench Deployer', email: 'bench@example.com' };

export interface RollbackWorkspace {
  backend: Backend;
  deployer: Actor;
  repoDir: string;
  /** Raw SQL, for benchmarks that reset state between rounds. */
  query(text: string): Promise<unknown>;
  tenantEnvironment(tenant: string, environment: string): Promise<TenantEnvironment>;
  /** The deployer's bearer token. */
  token: string;
  /** With `server: true`: starts the HTTP server on a free port and resolves with the GraphQL URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface RollbackWorkspaceOptions {
  /** The whole app (HTTP server, GraphQL) rather than the backend alone. */
  server?: boolean;
  /** More settings (COMPUTE_THREADS, …). */
  env?: Record<string, string>;
}

export function serviceName(index: number): string {
  return `svc-${String(index).padStart(3, '0')}`;
}

function valuesYaml(service: string, tag: string, index: number): string {
  return `# ${service} workload configuration
image:
  repository: registry.example.com/shop/${service}
  tag: ${tag}
  pullPolicy: IfNotPresent

replicas: ${1 + (index % 4)}  # scaled by the platform team

resources:
  requests:
    cpu: 250m
    memory: 256Mi
  limits:
    cpu: "1"
    memory: 512Mi

ports:
  http: ${8000 + index}

env:
  LOG_LEVEL: "info"
  FEATURE_${index}_ENABLED: "false"

probes:
  readiness: { path: /healthz, periodSeconds: 10 }
`;
}

function bindingsYaml(service: string): string {
  return `# Kustomize and manifest bindings for ${service}
kustomize:
  base: bases/web-service
  patches:
    - patches/pod-disruption-budget.yaml
manifests: []
`;
}

/** The files of a tenant-environment with `count` services, all at `tag`. */
export function workspaceFiles(tenant: string, environment: string, count: number, tag = 'v1.0.0'): FileMap {
  const names = Array.from({ length: count }, (_, i) => serviceName(i));
  const files: FileMap = new Map([
    ['environment.yaml', `# Environment-level configuration\nname: ${environment}\nnamespace: ${tenant}-${environment}\ncluster: bench-1\n`],
    [
      'variables.yaml',
      `# HQ Variables for ${tenant}/${environment}\nREGION: eu-west-1\nLOG_FORMAT: json\nservices:\n${names.map((n) => `  ${n}:\n    SERVICE_NAME: ${n}\n    TIMEOUT_MS: "3000"`).join('\n')}\n`,
    ],
  ]);
  names.forEach((name, index) => {
    files.set(`services/${name}/values.yaml`, valuesYaml(name, tag, index));
    files.set(`services/${name}/bindings.yaml`, bindingsYaml(name));
  });
  return files;
}

/** Creates the workspace; `layout` maps `tenant/environment` to its number of services. */
export async function createRollbackWorkspace(layout: Record<string, number>, options: RollbackWorkspaceOptions = {}): Promise<RollbackWorkspace> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...options.env });
  const app: App | null = options.server ? buildApp(config, { logger: createLogger('silent') }) : null;
  const { backend, database } = app ?? openBackend(config);
  const organizationId = await createOrganization(backend, {
    slug: 'bench-org',
    name: 'Bench',
    plan: 'ENTERPRISE',
    featureFlags: ['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval'],
  });
  const project = await createProject(backend, { organizationId, slug: PROJECT, name: 'Bench' });
  const userId = await createUser(backend, AUTHOR);
  await grantRole(backend, { userId, projectId: project.id, role: 'DEPLOYER' });
  const token = (await createUserToken(backend, userId, 'bench')).token;
  const deployer = (await authenticate(backend.stores, token))!;
  const tenantEnvironment = (tenant: string, environment: string) =>
    requireOpenTenantEnvironment(backend, deployer, { project: PROJECT, tenant, environment }, 'DEPLOYER');
  for (const [key, count] of Object.entries(layout)) {
    const [tenant, environment] = key.split('/') as [string, string];
    await registerTenantEnvironment(backend, project.id, tenant, environment);
    const te = await tenantEnvironment(tenant, environment);
    await commitTenantEnvironmentChange(backend, {
      tenantEnvironment: te,
      author: AUTHOR,
      message: () => formatCommitMessage({ kind: 'RELEASE', tenantEnvironment: te.ref, authorEmail: AUTHOR.email, description: 'Initial configuration' }),
      apply: () => workspaceFiles(tenant, environment, count),
    });
  }
  let started = false;
  return {
    backend,
    deployer,
    repoDir: backend.repositories.pathFor(PROJECT),
    query: (text) => database.query(text),
    tenantEnvironment,
    token,
    async listen() {
      if (!app) throw new Error('the workspace was created without a server');
      started = true;
      return `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql`;
    },
    async close() {
      if (app && started) await app.stop();
      else if (app) await app.stopServices();
      else await Promise.all([database.close(), backend.compute.close()]);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
