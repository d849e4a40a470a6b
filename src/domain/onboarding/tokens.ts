/**
 * Users' bearer tokens: the operator issues them (shown once, optionally expiring: `30d`), lists and
 * revokes them; over the API a user lists and revokes their own. Tokens belong to no project, so
 * their audit events have none.
 */
import type { UserActor } from '../actor';
import { requireUser } from '../access';
import { normalizeEmail, userByEmail } from '../admin';
import { issueToken } from '../auth';
import { BadRequestError, NotFoundError } from '../errors';
import type { ApiToken, User } from '../model';
import type { Backend } from '../ports';
import { auditOnboarding, isOperator, type Caller, type Operator } from './caller';

/** A token as it is listed: never its hash. */
export type TokenView = Pick<ApiToken, 'id' | 'name' | 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'revokedAt'> & { userId: string };

export const MAX_EXPIRY_DAYS = 3650;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `30d`, `12h`, `90m`, `2w` (or `45s`) as milliseconds; at most 3650 days. */
export function parseExpiresIn(value: string): number {
  const match = /^\s*(\d{1,7})\s*([smhdw])\s*$/.exec(value);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!match || ms < 1000 || ms > MAX_EXPIRY_DAYS * UNIT_MS.d) {
    throw new BadRequestError('INVALID_EXPIRY', `expiry "${value}" must be a number and a unit (s, m, h, d or w), e.g. 30d, at most ${MAX_EXPIRY_DAYS}d`);
  }
  return ms;
}

function viewOf(token: ApiToken): TokenView {
  const { id, name, createdAt, expiresAt, lastUsedAt, revokedAt } = token;
  return { id, userId: token.userId!, name, createdAt, expiresAt, lastUsedAt, revokedAt };
}

function checkTokenName(name: string | null | undefined): string {
  const value = name?.trim() || 'cli token';
  if (value.length > 100 || /[\u0000-\u001f\u007f]/.test(value)) throw new BadRequestError('INVALID_TOKEN_NAME', 'a token name is one line of at most 100 characters');
  return value;
}

export async function createToken(
  backend: Backend,
  _operator: Operator,
  input: { email: string; name?: string | null; expiresIn?: string | null },
): Promise<{ token: string; view: TokenView; user: User }> {
  const user = await userByEmail(backend, input.email);
  const name = checkTokenName(input.name);
  const now = backend.now();
  const expiresAt = input.expiresIn ? new Date(now.getTime() + parseExpiresIn(input.expiresIn)) : null;
  return backend.transact(async ({ stores }) => {
    const { id, token } = await issueToken(stores, { userId: user.id }, name, expiresAt);
    await auditOnboarding(stores, null, {
      projectId: null,
      action: 'token.created',
      targetType: 'ApiToken',
      targetId: id,
      details: { email: user.email, name, expiresAt: expiresAt?.toISOString() ?? null },
      now,
    });
    return { token, view: viewOf((await stores.tokens.byId(id))!), user };
  });
}

/** The operator names the user; a user gets their own tokens. Newest first, revoked and expired ones included. */
export async function listTokens(backend: Backend, caller: Caller, email?: string): Promise<TokenView[]> {
  const userId = isOperator(caller) ? (await userByEmail(backend, email ?? '')).id : requireUser(caller).user.id;
  return (await backend.stores.tokens.ofUser(userId)).map(viewOf);
}

/** Revokes one token by id: any user's for the operator, one's own over the API (others' read as not found). */
export async function revokeToken(backend: Backend, caller: Caller, id: string): Promise<TokenView> {
  const user: UserActor | null = isOperator(caller) ? null : requireUser(caller);
  const token = await backend.stores.tokens.byId(id);
  if (!token?.userId || (user && token.userId !== user.user.id)) throw new NotFoundError(`token ${id}`);
  const now = backend.now();
  return backend.transact(async ({ stores }) => {
    if (!(await stores.tokens.revoke(id, now))) throw new BadRequestError('TOKEN_ALREADY_REVOKED', `token ${id} is already revoked`);
    await auditOnboarding(stores, user, {
      projectId: null,
      action: 'token.revoked',
      targetType: 'ApiToken',
      targetId: id,
      details: { name: token.name },
      now,
    });
    return viewOf({ ...token, revokedAt: now });
  });
}

/** Revokes a user's active tokens (those named `name` only, when given); returns how many. */
export async function revokeTokensOf(backend: Backend, _operator: Operator, input: { email: string; name?: string | null }): Promise<{ user: User; count: number }> {
  const user = await userByEmail(backend, normalizeEmail(input.email));
  const now = backend.now();
  const count = await backend.transact(async ({ stores }) => {
    const revoked = await stores.tokens.revokeOfUser(user.id, input.name ?? undefined, now);
    if (revoked > 0) {
      await auditOnboarding(stores, null, {
        projectId: null,
        action: 'token.revoked',
        targetType: 'User',
        targetId: user.id,
        details: { email: user.email, ...(input.name ? { name: input.name } : {}), count: revoked },
        now,
      });
    }
    return revoked;
  });
  return { user, count };
}
