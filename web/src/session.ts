/**
 * What the tab remembers: the token in sessionStorage (gone when the tab closes, never in the URL
 * or in localStorage) and the chosen tenant-environment in the URL's fragment, so a link can be shared.
 */
const TOKEN_KEY = 'backtrack.incident.token';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token.trim().replace(/^Bearer\s+/i, '')),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

export interface Where {
  project: string;
  tenant: string;
  environment: string;
}

export function whereFromHash(hash = location.hash): Where | null {
  const [project, tenant, environment] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return project && tenant && environment ? { project, tenant, environment } : null;
}

export function hashOf(where: Where): string {
  return `#/${[where.project, where.tenant, where.environment].map(encodeURIComponent).join('/')}`;
}
