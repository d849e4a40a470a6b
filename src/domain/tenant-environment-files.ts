/** A tenant-environment's files at one revision, and the manifests the delivery generator derives from them. */
import type { FileChange, GitStore } from '../git';
import { parseYaml } from '../yaml';
import { generateManifest } from './delivery/generate-manifest';
import {
  BINDINGS_FILE,
  ENVIRONMENT_FILE,
  VALUES_FILE,
  VARIABLES_FILE,
  manifestFile,
  serviceFile,
  tenantEnvironmentDir,
} from './layout';
import { BadRequestError } from './errors';

/** Path relative to the tenant-environment directory → UTF-8 content. */
export type FileMap = Map<string, string>;

export interface TenantEnvironmentRef {
  project: string;
  tenant: string;
  environment: string;
}

export async function readFiles(git: GitStore, sha: string | null, ref: TenantEnvironmentRef): Promise<FileMap> {
  if (!sha) return new Map();
  const blobs = await git.readDirectory(sha, tenantEnvironmentDir(ref.tenant, ref.environment));
  return new Map([...blobs].map(([path, content]) => [path, content.toString('utf8')]));
}

export function servicesIn(files: FileMap): string[] {
  const names = new Set<string>();
  for (const path of files.keys()) {
    const match = /^services\/([^/]+)\//.exec(path);
    if (match) names.add(match[1]!);
  }
  return [...names].sort();
}

function parseRecord(files: FileMap, path: string): Record<string, unknown> {
  const source = files.get(path);
  if (source === undefined) return {};
  let value: unknown;
  try {
    value = parseYaml(source, path);
  } catch (error) {
    throw new BadRequestError('INVALID_YAML', `cannot generate manifests: ${(error as Error).message}`, { path });
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Returns `files` with the manifests of `services` regenerated from their inputs
 * (removed for a service whose directory no longer exists).
 */
export function withRegeneratedManifests(files: FileMap, services: Iterable<string>, ref: TenantEnvironmentRef): FileMap {
  const result = new Map(files);
  const present = new Set(servicesIn(files));
  const variables = parseRecord(files, VARIABLES_FILE);
  const environmentConfig = parseRecord(files, ENVIRONMENT_FILE);
  for (const service of new Set(services)) {
    if (!present.has(service)) {
      result.delete(manifestFile(service));
      continue;
    }
    result.set(
      manifestFile(service),
      generateManifest({
        ...ref,
        service,
        values: parseRecord(files, serviceFile(service, VALUES_FILE)),
        bindings: parseRecord(files, serviceFile(service, BINDINGS_FILE)),
        variables,
        environmentConfig,
      }),
    );
  }
  return result;
}

/** The Git change set (repository paths) that turns `before` into `after`. */
export function changesBetween(ref: TenantEnvironmentRef, before: FileMap, after: FileMap): FileChange[] {
  const dir = tenantEnvironmentDir(ref.tenant, ref.environment);
  const changes: FileChange[] = [];
  for (const [path, content] of after) {
    if (before.get(path) !== content) changes.push({ path: `${dir}/${path}`, content });
  }
  for (const path of before.keys()) {
    if (!after.has(path)) changes.push({ path: `${dir}/${path}`, content: null });
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/** Services whose inputs differ between two file maps (a change to variables.yaml's global keys touches all). */
export function servicesWithChangedInputs(before: FileMap, after: FileMap): string[] {
  const all = new Set([...servicesIn(before), ...servicesIn(after)]);
  const globalInputsChanged =
    before.get(VARIABLES_FILE) !== after.get(VARIABLES_FILE) || before.get(ENVIRONMENT_FILE) !== after.get(ENVIRONMENT_FILE);
  if (globalInputsChanged) return [...all].sort();
  const changedPaths = [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path));
  return [...all].filter((service) => changedPaths.some((path) => path.startsWith(`services/${service}/`))).sort();
}
