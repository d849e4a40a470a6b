/**
 * A fresh data directory (SQLite + bare repository) with one project whose tenant-environments hold
 * N services each, built through the domain (the same write path as the product).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openServices } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Actor } from '../../src/domain/actor';
import { authenticate, issueToken } from '../../src/domain/auth';
import { createOrganization, createProject, createUser, grantRole } from '../../src/domain/admin';
import { commitTenantEnvironmentChange } from '../../src/domain/commit-change';
import { ensureTenantEnvironment, SOURCE_TRAILER } from '../../src/domain/history/index-history';
import type { Services } from '../../src/domain/services';
import type { FileMap } from '../../src/domain/tenant-environment-files';
import { requireTenantEnvironment, type TenantEnvironmentContext } from '../../src/domain/workspace';

export const PROJECT = 'bench';
export const AUTHOR = { name: 'Bench Deployer', email: 'bench@example.com' };

export interface RollbackWorkspace {
  services: Services;
  deployer: Actor;
  repoDir: string;
  context(tenant: string, environment: string): Promise<TenantEnvironmentContext>;
  close(): void;
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
export async function createRollbackWorkspace(layout: Record<string, number>): Promise<RollbackWorkspace> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const { services, database } = openServices(config);
  const organizationId = await createOrganization(services, {
    slug: 'bench-org',
    name: 'Bench',
    plan: 'ENTERPRISE',
    featureFlags: ['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval'],
  });
  const project = await createProject(services, { organizationId, slug: PROJECT, name: 'Bench' });
  const userId = await createUser(services, AUTHOR);
  await grantRole(services, { userId, projectId: project.id, role: 'DEPLOYER' });
  const deployer = (await authenticate(services.db, (await issueToken(services.db, { userId }, 'bench')).token))!;
  const context = (tenant: string, environment: string) =>
    requireTenantEnvironment(services, deployer, { project: PROJECT, tenant, environment }, 'DEPLOYER');
  for (const [key, count] of Object.entries(layout)) {
    const [tenant, environment] = key.split('/') as [string, string];
    await ensureTenantEnvironment(services, project.id, tenant, environment);
    await commitTenantEnvironmentChange(services, {
      context: await context(tenant, environment),
      author: AUTHOR,
      message: () => `Release: tenant/${tenant} env/${environment}\n\nInitial configuration\n\n${SOURCE_TRAILER}: RELEASE\n`,
      apply: () => workspaceFiles(tenant, environment, count),
    });
  }
  return {
    services,
    deployer,
    repoDir: services.repositories.pathFor(PROJECT),
    context,
    close() {
      database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
