/**
 * Repository read tokens: a project's credential for a GitOps tool (Argo CD) to clone and fetch its
 * repository over Git HTTP. ADMINs create (shown once, optionally expiring), list and revoke them,
 * each change audited in its transaction.
 */
import type { Actor, UserActor } from './actor';
import { canReadProjectWide, requireRole } from './access';
import { recordAudit } from './audit';
import { issueToken } from './auth';
import { BadRequestError, NotFoundError } from './errors';
import { tenantEnvironmentDir } from './layout';
import type { ApiToken, Project } from './model';
import type { Backend } from './ports';
import { projectBySlug } from './workspace';
import { projectBySlugUnchecked } from './admin';

/** A repository read token as it is listed: never its hash. */
export type RepositoryToken = Pick<ApiToken, 'id' | 'name' | 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'revokedAt'> & { projectId: string };

export const MAX_EXPIRY_DAYS = 3650;
const DAY_MS = 86_400_000;

export function repositoryTokenOf(token: ApiToken): RepositoryToken {
  const { id, name, createdAt, expiresAt, lastUsedAt, revokedAt } = token;
  return { id, projectId: token.projectId!, name, createdAt, expiresAt, lastUsedAt, revokedAt };
}

export function isTokenActive(token: Pick<ApiToken, 'revokedAt' | 'expiresAt'>, now: Date): boolean {
  return !token.revokedAt && (!token.expiresAt || token.expiresAt > now);
}

/** The clone URL of a project's repository, on the server's public URL. */
export function repositoryUrl(backend: Backend, projectSlug: string): string {
  return `${backend.settings.publicUrl}/git/${projectSlug}.git`;
}

/** Creates the token in one transaction with its audit event; `actor` null is the admin CLI. */
async function issueRepositoryToken(
  backend: Backend,
  actor: UserActor | null,
  project: Project,
  input: { name: string; expiresInDays?: number | null },
): Promise<{ token: string; repositoryToken: RepositoryToken }> {
  const name = input.name?.trim();
  if (!name || name.length > 100) throw new BadRequestError('INVALID_TOKEN_NAME', 'a repository token needs a name of 1 to 100 characters');
  const days = input.expiresInDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRY_DAYS)) {
    throw new BadRequestError('INVALID_EXPIRY', `expiresInDays must be a whole number from 1 to ${MAX_EXPIRY_DAYS}`);
  }
  const now = backend.now();
  const expiresAt = days === null ? null : new Date(now.getTime() + days * DAY_MS);
  return backend.transact(async ({ stores }) => {
    const { id, token } = await issueToken(stores, { projectId: project.id }, name, expiresAt);
    await recordAudit(stores, {
      projectId: project.id,
      actor,
      action: 'repository_token.created',
      targetType: 'RepositoryToken',
      targetId: id,
      details: { name, expiresAt: expiresAt?.toISOString() ?? null, ...(actor ? {} : { via: 'admin CLI' }) },
      now,
    });
    const repositoryToken = repositoryTokenOf((await stores.tokens.byId(id))!);
    return { token, repositoryToken };
  });
}

async function adminProject(backend: Backend, actor: Actor | null, slug: string): Promise<{ project: Project; admin: UserActor }> {
  const project = await projectBySlug(backend, actor, slug);
  if (!project) throw new NotFoundError(`project ${slug}`);
  return { project, admin: requireRole(actor, project.id, 'ADMIN', 'project') };
}

export async function createRepositoryToken(
  backend: Backend,
  actor: Actor | null,
  input: { project: string; name: string; expiresInDays?: number | null },
): Promise<{ token: string; repositoryToken: RepositoryToken }> {
  const { project, admin } = await adminProject(backend, actor, input.project);
  return issueRepositoryToken(backend, admin, project, input);
}

/**
 * The project's repository read tokens, newest first, revoked and expired ones included: ADMIN only.
 * Agents see none, as with other project-wide lists.
 */
export async function listRepositoryTokens(backend: Backend, actor: Actor | null, project: Project): Promise<RepositoryToken[]> {
  if (!canReadProjectWide(actor, project.id)) return [];
  requireRole(actor, project.id, 'ADMIN', 'project');
  return (await backend.stores.tokens.ofProject(project.id)).map(repositoryTokenOf);
}

export async function revokeRepositoryToken(backend: Backend, actor: Actor | null, id: string): Promise<RepositoryToken> {
  const token = await backend.stores.tokens.byId(id);
  // User and agent tokens are not managed here: they read as not found.
  if (!token?.projectId) throw new NotFoundError('repository token');
  const admin = requireRole(actor, token.projectId, 'ADMIN', 'repository token');
  const now = backend.now();
  return backend.transact(async ({ stores }) => {
    if (!(await stores.tokens.revoke(id, now))) throw new BadRequestError('TOKEN_ALREADY_REVOKED', 'the repository token is already revoked');
    await recordAudit(stores, {
      projectId: token.projectId!,
      actor: admin,
      action: 'repository_token.revoked',
      targetType: 'RepositoryToken',
      targetId: id,
      details: { name: token.name },
      now,
    });
    return repositoryTokenOf({ ...token, revokedAt: now });
  });
}

export interface ArgoCdSnippet {
  url: string;
  username: string;
  /** The new repository read token, shown once. */
  token: string;
  tokenId: string;
  /** `argocd repo add …` with the URL and the token. */
  argocdCommand: string;
  /** The same as a repository Secret in Argo CD's namespace. */
  repositorySecret: string;
  /** An Argo CD `Application` syncing one tenant-environment's generated manifests. */
  applicationManifest: string;
}

/**
 * What the admin CLI prints to connect Argo CD (`backtrack repo argocd --project P`): the clone URL,
 * a newly created repository read token, the `argocd repo add` command and an `Application` for one
 * tenant-environment (the one named, else the project's first).
 */
export async function argoCdRepositorySnippet(
  backend: Backend,
  input: { project: string; tenant?: string; environment?: string; tokenName?: string; expiresInDays?: number | null },
): Promise<ArgoCdSnippet> {
  const project = await projectBySlugUnchecked(backend, input.project);
  const tenantEnvironments = (await backend.stores.tenantEnvironments.ofProject(project.id))
    .map((te) => te.ref)
    .sort((a, b) => a.tenant.localeCompare(b.tenant) || a.environment.localeCompare(b.environment));
  let ref: { tenant: string; environment: string } | undefined = tenantEnvironments[0];
  if (input.tenant || input.environment) {
    ref = tenantEnvironments.find((te) => te.tenant === input.tenant && te.environment === input.environment);
    if (!ref) throw new NotFoundError(`tenant-environment ${input.project}/${input.tenant}/${input.environment}`);
  }
  const { token, repositoryToken } = await issueRepositoryToken(backend, null, project, {
    name: input.tokenName ?? 'argocd',
    expiresInDays: input.expiresInDays,
  });
  const url = repositoryUrl(backend, project.slug);
  const chosen = ref ?? { tenant: '<tenant>', environment: '<environment>' };
  return {
    url,
    username: ARGOCD_USERNAME,
    token,
    tokenId: repositoryToken.id,
    ...argoCdTexts(url, project.slug, { ...chosen, path: tenantEnvironmentDir(chosen.tenant, chosen.environment) }, token),
  };
}

/** Argo CD takes any username with the token as the password; `argocd` says who it is in its logs. */
export const ARGOCD_USERNAME = 'argocd';

/**
 * The texts that connect Argo CD to a project's repository: `argocd repo add`, the same as a
 * repository Secret, and an `Application` syncing one tenant-environment's generated manifests only
 * (not the values files beside them). The admin CLI and the on-call CLI print these.
 */
export function argoCdTexts(url: string, projectSlug: string, ref: { tenant: string; environment: string; path: string }, token: string) {
  return {
    argocdCommand: `argocd repo add ${url} --username ${ARGOCD_USERNAME} --password ${token}`,
    repositorySecret: `apiVersion: v1
kind: Secret
metadata:
  name: backtrack-${projectSlug}
  namespace: argocd
  labels:
    argocd.argoproj.io/secret-type: repository
stringData:
  type: git
  url: ${url}
  username: ${ARGOCD_USERNAME}
  password: ${token}
`,
    applicationManifest: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${projectSlug}-${ref.tenant}-${ref.environment}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${url}
    targetRevision: main
    path: ${ref.path}
    directory:
      recurse: true
      include: 'manifests/*.yaml'
  destination:
    server: https://kubernetes.default.svc
    namespace: ${ref.tenant}-${ref.environment}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`,
  };
}
