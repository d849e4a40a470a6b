/** Organizations, projects, tenants, environments and tenant-environments. */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Environment, Organization, Project, Tenant, TenantEnvironment } from '../../domain/model';
import type { EnvironmentStore, OrganizationStore, ProjectStore, TenantEnvironmentStore, TenantStore } from '../../domain/ports';
import { preparedRead, type StoreContext } from '../dialect';
import { byKey } from './keyed';

export function organizationStore({ db, t }: StoreContext): OrganizationStore {
  const one = async (where: SQL) => ((await db.select().from(t.organizations).where(where).limit(1))[0] as Organization | undefined) ?? null;
  return {
    insert: async (organization) => {
      await db.insert(t.organizations).values(organization);
    },
    byId: (id) => one(eq(t.organizations.id, id)),
    bySlug: (slug) => one(eq(t.organizations.slug, slug)),
    all: async () => (await db.select().from(t.organizations).orderBy(t.organizations.slug)) as Organization[],
    setDetails: async (id, details) => {
      await db.update(t.organizations).set(details).where(eq(t.organizations.id, id));
    },
    setArchivedAt: async (id, at) => {
      await db.update(t.organizations).set({ archivedAt: at }).where(eq(t.organizations.id, id));
    },
  };
}

export function projectStore(context: StoreContext): ProjectStore {
  const { db, t, dialect } = context;
  const byIdQuery = () => preparedRead(context, 'project_by_id', () => db.select().from(t.projects).where(eq(t.projects.id, sql.placeholder('id'))));
  const byIdsQuery = () => preparedRead(context, 'projects_by_ids', () => db.select().from(t.projects).where(dialect.inList(t.projects.id, 'ids')));
  return {
    insert: async (project) => (await db.insert(t.projects).values(project).returning())[0] as Project,
    byId: async (id) => ((await byIdQuery().get({ id })) as Project | undefined) ?? null,
    bySlug: async (slug) => ((await db.select().from(t.projects).where(eq(t.projects.slug, slug)))[0] as Project | undefined) ?? null,
    byIds: async (ids) =>
      ids.length === 0 ? [] : ((await byIdsQuery().all({ ids: dialect.list(ids) })) as Project[]),
    all: async () => (await db.select().from(t.projects).orderBy(t.projects.slug)) as Project[],
    setIndexedSha: async (id, sha) => {
      await db.update(t.projects).set({ indexedSha: sha }).where(eq(t.projects.id, id));
    },
    setName: async (id, name) => {
      await db.update(t.projects).set({ name }).where(eq(t.projects.id, id));
    },
    setArchivedAt: async (id, at) => {
      await db.update(t.projects).set({ archivedAt: at }).where(eq(t.projects.id, id));
    },
  };
}

export function tenantStore({ db, t }: StoreContext): TenantStore {
  return {
    insert: async (tenant) => {
      await db.insert(t.tenants).values(tenant);
    },
    bySlug: async (projectId, slug) =>
      ((await db.select().from(t.tenants).where(and(eq(t.tenants.projectId, projectId), eq(t.tenants.slug, slug))))[0] as Tenant | undefined) ?? null,
    ofProject: async (projectId) => (await db.select().from(t.tenants).where(eq(t.tenants.projectId, projectId)).orderBy(t.tenants.slug)) as Tenant[],
    setName: async (id, name) => {
      await db.update(t.tenants).set({ name }).where(eq(t.tenants.id, id));
    },
    setArchivedAt: async (id, at) => {
      await db.update(t.tenants).set({ archivedAt: at }).where(eq(t.tenants.id, id));
    },
  };
}

export function environmentStore({ db, t }: StoreContext): EnvironmentStore {
  return {
    insert: async (environment) => {
      await db.insert(t.environments).values(environment);
    },
    bySlug: async (projectId, slug) =>
      ((await db
        .select()
        .from(t.environments)
        .where(and(eq(t.environments.projectId, projectId), eq(t.environments.slug, slug))))[0] as Environment | undefined) ?? null,
    ofProject: async (projectId) =>
      (await db.select().from(t.environments).where(eq(t.environments.projectId, projectId)).orderBy(t.environments.slug)) as Environment[],
    setPolicy: async (id, policy) => (await db.update(t.environments).set(policy).where(eq(t.environments.id, id)).returning())[0] as Environment,
    setArchivedAt: async (id, at) => {
      await db.update(t.environments).set({ archivedAt: at }).where(eq(t.environments.id, id));
    },
    byIds: async (ids) =>
      ids.length === 0 ? [] : byKey(ids, (await db.select().from(t.environments).where(inArray(t.environments.id, [...ids]))) as Environment[], (x) => x.id),
  };
}

export function tenantEnvironmentStore(context: StoreContext): TenantEnvironmentStore {
  const { db, t, dialect } = context;
  const joined = () =>
    db
      .select()
      .from(t.tenantEnvironments)
      .innerJoin(t.tenants, eq(t.tenants.id, t.tenantEnvironments.tenantId))
      .innerJoin(t.environments, eq(t.environments.id, t.tenantEnvironments.environmentId))
      .innerJoin(t.projects, eq(t.projects.id, t.tenantEnvironments.projectId))
      .innerJoin(t.organizations, eq(t.organizations.id, t.projects.organizationId));
  type JoinedRow = Awaited<ReturnType<typeof joined>>[number];
  const toTenantEnvironment = (row: JoinedRow): TenantEnvironment => ({
    id: row.tenant_environments.id,
    project: row.projects as Project,
    organization: row.organizations as Organization,
    tenant: row.tenants as Tenant,
    environment: row.environments as Environment,
    ref: { project: row.projects.slug, tenant: row.tenants.slug, environment: row.environments.slug },
    archivedAt: row.tenant_environments.archivedAt,
  });
  const byIdsQuery = () => preparedRead(context, 'tenant_environments_by_ids', () => joined().where(dialect.inList(t.tenantEnvironments.id, 'ids')));
  const bySlugsQuery = () =>
    preparedRead(context, 'tenant_environment_by_slugs', () =>
      joined().where(
        and(
          eq(t.projects.slug, sql.placeholder('project')),
          eq(t.tenants.slug, sql.placeholder('tenant')),
          eq(t.environments.slug, sql.placeholder('environment')),
        ),
      ),
    );
  const ofProjectQuery = () =>
    preparedRead(context, 'tenant_environments_of_project', () => joined().where(eq(t.tenantEnvironments.projectId, sql.placeholder('projectId'))));
  // Every write and every read of a tenant-environment's services asks.
  const archivedServicesQuery = () =>
    preparedRead(context, 'archived_services_of', () =>
      db
        .select({ service: t.archivedServices.service })
        .from(t.archivedServices)
        .where(eq(t.archivedServices.tenantEnvironmentId, sql.placeholder('tenantEnvironmentId')))
        .orderBy(t.archivedServices.service),
    );
  return {
    ensure: async (projectId, tenantSlug, environmentSlug, ids) => {
      await db.insert(t.tenants).values({ id: ids.tenant, projectId, slug: tenantSlug, name: tenantSlug }).onConflictDoNothing();
      await db.insert(t.environments).values({ id: ids.environment, projectId, slug: environmentSlug }).onConflictDoNothing();
      const [tenant] = await db.select().from(t.tenants).where(and(eq(t.tenants.projectId, projectId), eq(t.tenants.slug, tenantSlug)));
      const [environment] = await db
        .select()
        .from(t.environments)
        .where(and(eq(t.environments.projectId, projectId), eq(t.environments.slug, environmentSlug)));
      await db
        .insert(t.tenantEnvironments)
        .values({ id: ids.tenantEnvironment, projectId, tenantId: tenant!.id, environmentId: environment!.id })
        .onConflictDoNothing();
      const [row] = await db
        .select({ id: t.tenantEnvironments.id })
        .from(t.tenantEnvironments)
        .where(and(eq(t.tenantEnvironments.tenantId, tenant!.id), eq(t.tenantEnvironments.environmentId, environment!.id)));
      return row!.id;
    },
    insert: async (row) => {
      await db.insert(t.tenantEnvironments).values(row);
    },
    byIds: async (ids) =>
      ids.length === 0 ? [] : byKey(ids, (await byIdsQuery().all({ ids: dialect.list(ids) })).map(toTenantEnvironment), (te) => te.id),
    bySlugs: async (ref) => {
      const row = await bySlugsQuery().get({ ...ref });
      return row ? toTenantEnvironment(row) : null;
    },
    ofProject: async (projectId) => (await ofProjectQuery().all({ projectId })).map(toTenantEnvironment),
    setArchivedAt: async (id, at) => {
      await db.update(t.tenantEnvironments).set({ archivedAt: at }).where(eq(t.tenantEnvironments.id, id));
    },
    archivedServices: async (tenantEnvironmentId) => (await archivedServicesQuery().all({ tenantEnvironmentId })).map((row) => row.service),
    setServiceArchivedAt: async (tenantEnvironmentId, service, at) => {
      if (at === null) {
        await db
          .delete(t.archivedServices)
          .where(and(eq(t.archivedServices.tenantEnvironmentId, tenantEnvironmentId), eq(t.archivedServices.service, service)));
        return;
      }
      await db.insert(t.archivedServices).values({ tenantEnvironmentId, service, archivedAt: at }).onConflictDoNothing();
    },
  };
}
