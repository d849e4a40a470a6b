/**
 * The first start in production on an empty database gets one administrator to begin with: the
 * user BOOTSTRAP_ADMIN_EMAIL names (no token: the operator issues one with the CLI), or else a
 * bootstrap user whose token is shown this once. Never again once any user exists.
 */
import { issueToken } from '../auth';
import { newId } from '../ids';
import type { Backend } from '../ports';
import { normalizeEmail } from '../admin';
import { auditOnboarding } from './caller';

export const BOOTSTRAP_EMAIL = 'bootstrap-admin@backtrack.invalid';

export interface Bootstrapped {
  email: string;
  /** Shown once; null when the operator named the user (they issue the token with the CLI). */
  token: string | null;
}

export async function bootstrapAdmin(backend: Backend, email: string | null): Promise<Bootstrapped | null> {
  if ((await backend.stores.users.all()).length > 0) return null;
  const user = { id: newId('usr'), email: email ? normalizeEmail(email) : BOOTSTRAP_EMAIL, name: email ? email.split('@')[0]! : 'Bootstrap admin' };
  return backend.transact(async ({ stores }) => {
    if ((await stores.users.all()).length > 0) return null;
    await stores.users.insert(user);
    const token = email ? null : (await issueToken(stores, { userId: user.id }, 'bootstrap token')).token;
    await auditOnboarding(stores, null, {
      projectId: null,
      action: 'user.bootstrapped',
      targetType: 'User',
      targetId: user.id,
      details: { email: user.email, tokenIssued: token !== null, via: 'first start' },
      now: backend.now(),
    });
    return { email: user.email, token };
  });
}
