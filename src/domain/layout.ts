/** Where things live in a project's repository: one directory per tenant-environment, one per service below it. */
export const VALUES_FILE = 'values.yaml';
export const BINDINGS_FILE = 'bindings.yaml';
export const VARIABLES_FILE = 'variables.yaml';
export const ENVIRONMENT_FILE = 'environment.yaml';
export const SERVICE_FILES = [VALUES_FILE, BINDINGS_FILE] as const;

export function tenantEnvironmentDir(tenant: string, environment: string): string {
  return `tenants/${tenant}/${environment}`;
}

/** Paths below are relative to the tenant-environment directory. */
export function serviceDir(service: string): string {
  return `services/${service}`;
}

export function serviceFile(service: string, file: string): string {
  return `${serviceDir(service)}/${file}`;
}

export function manifestFile(service: string): string {
  return `manifests/${service}.yaml`;
}

/** The service a tenant-environment-relative path belongs to, if any. */
export function serviceOfPath(relativePath: string): string | null {
  const match = /^(?:services\/([^/]+)\/|manifests\/([^/]+)\.yaml$)/.exec(relativePath);
  return match ? (match[1] ?? match[2])! : null;
}

/** Service names are DNS labels so they are safe as directory and Kubernetes object names. */
export const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
