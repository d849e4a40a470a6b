/**
 * The declarative workspace file (`backtrack apply -f workspace.yaml`): parsed with the `yaml`
 * library, validated whole with zod, every problem reported at its line and column. Only what the
 * file itself can tell is checked here; apply.ts checks it against the data before changing anything.
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { NAME_PATTERN } from '../layout';
import { FEATURE_FLAGS, NOTIFICATION_EVENT_KINDS, NOTIFICATION_TARGET_KINDS, PLANS, ROLES } from '../model';
import { MAX_QUORUM } from '../requests/approval-policy';

const slug = z.string().regex(NAME_PATTERN, 'must be lowercase letters, digits and dashes (a DNS label)');
const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const upper = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(values, { error: () => `must be one of ${values.join(', ')}` }));

const environmentSpec = z
  .object({
    slug,
    approvalRequired: z.boolean().optional(),
    quorum: z.number().int('must be a whole number').min(1, `must be from 1 to ${MAX_QUORUM}`).max(MAX_QUORUM, `must be from 1 to ${MAX_QUORUM}`).optional(),
    blockSelfApproval: z.boolean().optional(),
    archived: z.boolean().optional(),
  })
  .strict();

const tenantSpec = z
  .object({
    slug,
    name: name.optional(),
    /** The environments it runs in: one tenant-environment each. */
    environments: z.array(slug).default([]),
    archived: z.boolean().optional(),
  })
  .strict();

const scope = z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'must be TENANT/ENVIRONMENT, e.g. acme/production');

const agentSpec = z.object({ name: slug, scopes: z.array(scope).min(1, 'an agent needs at least one scope') }).strict();

/** A notification target. The secret never goes in the file: `secretEnv` names the variable of the apply process holding it. */
const notificationSpec = z
  .object({
    name: slug,
    kind: upper(NOTIFICATION_TARGET_KINDS),
    url: z.string().min(1, 'must not be empty'),
    secretEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable').optional(),
    events: z.array(upper(NOTIFICATION_EVENT_KINDS)).default([]),
    tenantEnvironments: z.array(scope).default([]),
  })
  .strict();

const projectSpec = z
  .object({
    slug,
    name: name.optional(),
    /** Created by importing this repository (a path or URL), rather than empty. */
    importFrom: z.string().min(1).optional(),
    branch: z.string().min(1).optional(),
    archived: z.boolean().optional(),
    environments: z.array(environmentSpec).default([]),
    tenants: z.array(tenantSpec).default([]),
    agents: z.array(agentSpec).default([]),
    notifications: z.array(notificationSpec).default([]),
  })
  .strict();

const organizationSpec = z
  .object({
    slug,
    name: name.optional(),
    plan: upper(PLANS),
    featureFlags: z.array(z.enum(FEATURE_FLAGS, { error: () => `must be one of ${FEATURE_FLAGS.join(', ')}` })).default([]),
    archived: z.boolean().optional(),
    projects: z.array(projectSpec).default([]),
  })
  .strict();

const userSpec = z
  .object({
    email: z.string().trim().toLowerCase().regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address'),
    name,
    /** project slug → role */
    roles: z.record(z.string(), upper(ROLES)).default({}),
  })
  .strict();

const workspaceSpec = z
  .object({
    organizations: z.array(organizationSpec).default([]),
    users: z.array(userSpec).default([]),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const unique = (values: Array<[string, Array<string | number>]>, what: string) => {
      const seen = new Set<string>();
      for (const [value, path] of values) {
        if (seen.has(value)) ctx.addIssue({ code: 'custom', path, message: `${what} ${value} appears twice` });
        seen.add(value);
      }
    };
    unique(spec.organizations.map((o, i) => [o.slug, ['organizations', i, 'slug']]), 'organization');
    unique(spec.organizations.flatMap((o, i) => o.projects.map((p, j) => [p.slug, ['organizations', i, 'projects', j, 'slug']] as [string, Array<string | number>])), 'project');
    unique(spec.users.map((u, i) => [u.email, ['users', i, 'email']]), 'user');
    spec.organizations.forEach((o, i) =>
      o.projects.forEach((p, j) => {
        const at = ['organizations', i, 'projects', j];
        if (!o.featureFlags.includes('rollback_approval')) {
          p.environments.forEach((e, k) => {
            if (e.approvalRequired || (e.quorum ?? 1) !== 1 || e.blockSelfApproval === false) {
              ctx.addIssue({ code: 'custom', path: [...at, 'environments', k], message: `an approval policy needs the rollback_approval feature flag, which organization ${o.slug} does not have` });
            }
          });
        }
        unique(p.environments.map((e, k) => [e.slug, [...at, 'environments', k, 'slug']]), `environment of project ${p.slug}`);
        unique(p.tenants.map((t, k) => [t.slug, [...at, 'tenants', k, 'slug']]), `tenant of project ${p.slug}`);
        unique(p.agents.map((a, k) => [a.name, [...at, 'agents', k, 'name']]), `agent of project ${p.slug}`);
        const environments = new Set(p.environments.map((e) => e.slug));
        const tenantEnvironments = new Set<string>();
        p.tenants.forEach((t, k) =>
          t.environments.forEach((e, l) => {
            tenantEnvironments.add(`${t.slug}/${e}`);
            if (!environments.has(e)) ctx.addIssue({ code: 'custom', path: [...at, 'tenants', k, 'environments', l], message: `environment ${e} is not in this project's environments` });
          }),
        );
        p.agents.forEach((a, k) =>
          a.scopes.forEach((s, l) => {
            if (!tenantEnvironments.has(s)) ctx.addIssue({ code: 'custom', path: [...at, 'agents', k, 'scopes', l], message: `${s} is not a tenant-environment of this project (list it under the tenant's environments)` });
          }),
        );
        unique(p.notifications.map((n, k) => [n.name, [...at, 'notifications', k, 'name']]), `notification target of project ${p.slug}`);
        p.notifications.forEach((n, k) =>
          n.tenantEnvironments.forEach((s, l) => {
            if (!tenantEnvironments.has(s)) ctx.addIssue({ code: 'custom', path: [...at, 'notifications', k, 'tenantEnvironments', l], message: `${s} is not a tenant-environment of this project (list it under the tenant's environments)` });
          }),
        );
      }),
    );
  });

export type WorkspaceSpec = z.infer<typeof workspaceSpec>;
export type OrganizationSpec = WorkspaceSpec['organizations'][number];
export type ProjectSpec = OrganizationSpec['projects'][number];
export type UserSpec = WorkspaceSpec['users'][number];

export interface WorkspaceFile {
  file: string;
  spec: WorkspaceSpec;
  /** `file:line:col` of the value at a path (or of the nearest part of it the file has). */
  locate(path: ReadonlyArray<string | number>): string;
}

export class WorkspaceFileError extends Error {
  readonly code = 'INVALID_WORKSPACE_FILE';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid workspace file; nothing was changed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`)).join('');
}

/** The node at `path`, or the deepest existing one on the way to it. */
function nearestNode(document: Document, path: ReadonlyArray<PropertyKey>, keyOf?: string): Node | null {
  let node = document.contents as Node | null;
  for (const segment of path) {
    const next = (node as { get?: (key: unknown, keepScalar: boolean) => unknown } | null)?.get?.(segment, true);
    if (!next || typeof next !== 'object') break;
    node = next as Node;
  }
  if (keyOf && isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === keyOf);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return node;
}

/** Problems (`file:line:col: …`) in the order of the file. */
export function sortedByPosition(problems: string[]): string[] {
  const position = (problem: string) => (/:(\d+):(\d+): /.exec(problem) ?? [0, 0, 0]).slice(1).map(Number) as [number, number];
  return [...problems].sort((a, b) => {
    const [la, ca] = position(a);
    const [lb, cb] = position(b);
    return la - lb || ca - cb;
  });
}

export function parseWorkspaceFile(file: string, text: string): WorkspaceFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return `${file}:${line}:${col}`;
  };
  const locate = (path: ReadonlyArray<PropertyKey>, key?: string) => at(nearestNode(document, path, key)?.range?.[0]);
  if (document.errors.length > 0) {
    throw new WorkspaceFileError(file, document.errors.map((error) => `${at(error.pos[0])}: ${error.message.split('\n')[0]}`));
  }
  const parsed = workspaceSpec.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const where = locate(issue.path, keys[0]);
      const field = formatPath(issue.path);
      const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
      const message = keys.length > 0 ? `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}` : missing ? 'is required' : issue.message;
      return `${where}: ${field ? `${field}: ` : ''}${message}`;
    });
    throw new WorkspaceFileError(file, sortedByPosition(problems));
  }
  return { file, spec: parsed.data, locate: (path) => locate(path) };
}
