/**
 * The demo workspace: an incident-ready project with history made through the release code path,
 * including a bad image tag on acme/production's api-gateway.
 */
import type { Actor } from '../actor';
import { authenticate } from '../auth';
import { createAgent, createOrganization, createProject, createUser, createUserToken, grantRole } from '../admin';
import { commitTenantEnvironmentChange } from '../commit-change';
import { formatCommitMessage } from '../commit-metadata';
import { registerTenantEnvironment } from '../history/index-history';
import type { Backend } from '../ports';
import { deployRelease, promote } from '../releases';
import { loadTenantEnvironment } from '../workspace';
import { demoFiles } from './demo-files';

export const DEMO_ORGANIZATION = 'acme-corp';
export const DEMO_PROJECT = 'shop';

export interface DemoCredentials {
  users: Array<{ email: string; role: string; token: string }>;
  agent: { name: string; token: string };
}

const DEMO_USERS = [
  { email: 'dana.deployer@acme.example.com', name: 'Dana Deployer', role: 'DEPLOYER' },
  { email: 'alex.approver@acme.example.com', name: 'Alex Approver', role: 'APPROVER' },
  { email: 'blake.approver@acme.example.com', name: 'Blake Approver', role: 'APPROVER' },
  { email: 'ada.admin@acme.example.com', name: 'Ada Admin', role: 'ADMIN' },
] as const;

export async function isSeeded(backend: Backend): Promise<boolean> {
  return (await backend.stores.organizations.bySlug(DEMO_ORGANIZATION)) !== null;
}

export async function seedDemo(backend: Backend): Promise<DemoCredentials> {
  const organizationId = await createOrganization(backend, {
    slug: DEMO_ORGANIZATION,
    name: 'Acme Corp',
    plan: 'ENTERPRISE',
    featureFlags: ['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval'],
  });
  const project = await createProject(backend, { organizationId, slug: DEMO_PROJECT, name: 'Shop' });
  const credentials: DemoCredentials = { users: [], agent: { name: '', token: '' } };
  const actors = new Map<string, Actor>();
  for (const demoUser of DEMO_USERS) {
    const userId = await createUser(backend, demoUser);
    await grantRole(backend, { userId, projectId: project.id, role: demoUser.role });
    const { token } = await createUserToken(backend, userId, 'demo token');
    credentials.users.push({ email: demoUser.email, role: demoUser.role, token });
    actors.set(demoUser.role, (await authenticate(backend.stores, token))!);
  }
  const deployer = actors.get('DEPLOYER')!;
  const admin = DEMO_USERS[3];

  const tenantEnvironmentIds: string[] = [];
  for (const tenant of ['acme', 'globex']) {
    for (const environment of ['staging', 'production']) {
      const id = await registerTenantEnvironment(backend, project.id, tenant, environment);
      tenantEnvironmentIds.push(id);
      const tenantEnvironment = await loadTenantEnvironment(backend, id);
      await commitTenantEnvironmentChange(backend, {
        tenantEnvironment,
        author: { name: admin.name, email: admin.email },
        message: () =>
          formatCommitMessage({ kind: 'RELEASE', tenantEnvironment: tenantEnvironment.ref, authorEmail: admin.email, description: 'Initial configuration' }),
        apply: () => demoFiles(tenant, environment),
      });
    }
  }
  type Release = Parameters<typeof deployRelease>[2];
  const release = (tenant: string, environment: string, description: string, edits: Release['services'], environmentFields?: Release['environmentFields']) =>
    deployRelease(backend, deployer, { project: DEMO_PROJECT, tenant, environment, description, services: edits, environmentFields });
  const tag = (service: string, value: string) => ({ service, setFields: [{ file: 'values.yaml', path: 'image.tag', value }] });

  for (const environment of ['staging', 'production']) {
    await release('acme', environment, 'api-gateway 2.0.9: connection pool fix', [tag('api-gateway', 'v2.0.9')]);
    await release('acme', environment, 'Scale checkout for the holiday sale', [
      { service: 'checkout', setFields: [{ file: 'values.yaml', path: 'replicas', value: environment === 'production' ? 5 : 2 }] },
    ]);
    await release('acme', environment, 'payments 1.5.0', [tag('payments', 'v1.5.0')]);
    await release('acme', environment, 'Verbose logs while investigating latency', [], [
      { file: 'variables.yaml', path: 'LOG_FORMAT', value: 'text' },
    ]);
    await release('acme', environment, 'api-gateway 2.1.0: new rate limiter', [tag('api-gateway', 'v2.1.0')]);
    await release('globex', environment, 'api-gateway 2.0.9', [tag('api-gateway', 'v2.0.9')]);
    await release('globex', environment, 'search 0.9.4: index warmup', [tag('search', 'v0.9.4')]);
    await release('globex', environment, 'notifications: more replicas', [
      { service: 'notifications', setFields: [{ file: 'values.yaml', path: 'replicas', value: environment === 'production' ? 4 : 2 }] },
    ]);
    await release('globex', environment, 'search memory bump', [
      { service: 'search', setFields: [{ file: 'values.yaml', path: 'resources.limits.memory', value: '2Gi' }] },
    ]);
    await release('globex', environment, 'notifications 1.3.0', [tag('notifications', 'v1.3.0')]);
  }
  await release('acme', 'staging', 'catalog 5.1.0 with the new search ranking', [tag('catalog', 'v5.1.0')]);
  await promote(backend, deployer, {
    project: DEMO_PROJECT,
    tenant: 'acme',
    fromEnvironment: 'staging',
    toEnvironment: 'production',
    service: 'catalog',
    description: 'Promote catalog 5.1.0 after a day in staging',
  });
  // The incident: a bad image tag that only exists in the registry's imagination.
  await release('acme', 'production', 'api-gateway 2.1.1 hotfix (bad tag: image was never pushed)', [tag('api-gateway', 'v2.1.1-rc0')]);

  // Production requires approval from here on: the history above is what was deployed before the policy.
  const production = (await backend.stores.environments.bySlug(project.id, 'production'))!;
  await backend.transact(({ stores }) => stores.environments.setPolicy(production.id, { approvalRequired: true, quorum: 1, blockSelfApproval: true }));

  const agent = await createAgent(backend, { projectId: project.id, name: 'prod-eu-1-agent', tenantEnvironmentIds });
  credentials.agent = { name: 'prod-eu-1-agent', token: agent.token };
  return credentials;
}
