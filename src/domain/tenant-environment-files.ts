/** A tenant-environment's files at one revision, and the manifests the delivery generator derives from them. */
import type { FileChange, GitRepository } from './ports';
import type { TenantEnvironmentRef } from './model';
import { forgetParsedDocuments, parseYaml } from '../yaml';
import { generateManifest } from './delivery/generate-manifest';
import {
  BINDINGS_FILE,
  ENVIRONMENT_FILE,
  VALUES_FILE,
  VARIABLES_FILE,
  manifestFile,
  serviceFile,
  serviceOfPath,
  tenantEnvironmentDir,
} from './layout';
import { canonicalJson } from './canonical-json';
import { BadRequestError, RepositoryCorruptError } from './errors';

/**
 * Path relative to the tenant-environment directory → content: the text of a UTF-8 file, or for any
 * other bytes (a Latin-1 file, an image) a `BINARY_PREFIX` + base64 string, so that files are carried
 * through plans and written back byte for byte, never through a lossy decode.
 */
export type FileMap = Map<string, string>;

export const BINARY_PREFIX = '\u0000backtrack-binary;base64,';

/** A blob as FileMap content: its text when it is UTF-8 (and round-trips), otherwise the binary form. */
export function fileText(content: Buffer): string {
  const text = content.toString('utf8');
  const exact = !text.includes('\uFFFD') || Buffer.from(text, 'utf8').equals(content);
  return exact && !text.startsWith(BINARY_PREFIX) ? text : BINARY_PREFIX + content.toString('base64');
}

/** The bytes FileMap content stands for. */
export function fileBytes(content: string): string | Buffer {
  return content.startsWith(BINARY_PREFIX) ? Buffer.from(content.slice(BINARY_PREFIX.length), 'base64') : content;
}

/** Text to parse: a non-UTF-8 file is read leniently (its invalid bytes become U+FFFD). */
export function parseableText(content: string): string {
  return content.startsWith(BINARY_PREFIX) ? Buffer.from(content.slice(BINARY_PREFIX.length), 'base64').toString('utf8') : content;
}

/**
 * The tenant-environment's files at a commit. A commit's content never changes, so the last few
 * directories read (or just written, see rememberFiles) are kept per repository: planning a
 * rollback, writing it and indexing it read the same revisions again and again.
 */
export async function readFiles(git: GitRepository, sha: string | null, ref: TenantEnvironmentRef): Promise<FileMap> {
  if (!sha) return new Map();
  const dir = tenantEnvironmentDir(ref.tenant, ref.environment);
  const key = `${sha.toLowerCase()}:${dir}`;
  const cached = FULL_SHA.test(sha) ? cacheOf(git).get(key) : undefined;
  if (cached) {
    remember(git, key, cached);
    return new Map(cached);
  }
  let blobs: Map<string, Buffer>;
  try {
    blobs = await git.readDirectory(sha, dir);
  } catch (error) {
    // The revision itself was resolved before: an object below it that cannot be read is damage.
    throw new RepositoryCorruptError(`the repository of project ${ref.project} cannot be read at ${dir} (revision ${sha}): ${(error as Error).message}`, {
      tenant: ref.tenant,
      environment: ref.environment,
      revision: sha,
    });
  }
  const files: FileMap = new Map([...blobs].map(([path, content]) => [path, fileText(content)]));
  if (FULL_SHA.test(sha)) remember(git, key, files);
  return new Map(files);
}

/**
 * Records the files a commit just written has in this tenant-environment, so the next read of that
 * commit costs nothing. Only content that reads back as the same string (well-formed UTF-16) is
 * trusted; otherwise the commit is read from Git next time.
 */
export function rememberFiles(git: GitRepository, sha: string, ref: TenantEnvironmentRef, files: FileMap, changed: Iterable<string>): void {
  if (!FULL_SHA.test(sha)) return;
  for (const path of changed) {
    const content = files.get(path);
    if (content !== undefined && Buffer.from(content, 'utf8').toString('utf8') !== content) return;
  }
  remember(git, `${sha.toLowerCase()}:${tenantEnvironmentDir(ref.tenant, ref.environment)}`, new Map(files));
}

/**
 * Empties the file cache of every repository and the parsed YAML behind it (benchmarks measure cold
 * reads with it). Compute threads keep caches of their own: they empty them when they see the
 * generation move (see cachedFilesGeneration).
 */
export function forgetCachedFiles(): void {
  caches = new WeakMap();
  parsedRecords.clear();
  forgetParsedDocuments();
  generation++;
}

let generation = 0;

/** Moves on every forgetCachedFiles. */
export function cachedFilesGeneration(): number {
  return generation;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;
const CACHED_DIRECTORIES = 24;
let caches = new WeakMap<GitRepository, Map<string, FileMap>>();

function cacheOf(git: GitRepository): Map<string, FileMap> {
  let cache = caches.get(git);
  if (!cache) caches.set(git, (cache = new Map()));
  return cache;
}

function remember(git: GitRepository, key: string, files: FileMap): void {
  const cache = cacheOf(git);
  cache.delete(key);
  cache.set(key, files);
  while (cache.size > CACHED_DIRECTORIES) cache.delete(cache.keys().next().value!);
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
  const cached = parsedRecords.get(source);
  if (cached) {
    parsedRecords.delete(source);
    parsedRecords.set(source, cached);
    return cached;
  }
  let value: unknown;
  try {
    value = parseYaml(parseableText(source), path);
  } catch (error) {
    throw new BadRequestError('INVALID_YAML', `cannot generate manifests: ${(error as Error).message}`, { path });
  }
  const record = deepFreeze(value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
  parsedRecords.set(source, record);
  while (parsedRecords.size > PARSED_RECORDS) parsedRecords.delete(parsedRecords.keys().next().value!);
  return record;
}

/**
 * Manifest inputs parsed before, by content: variables.yaml and environment.yaml rarely change between
 * writes, and every write regenerates manifests from them. Frozen, since callers share them.
 */
const parsedRecords = new Map<string, Record<string, unknown>>();
const PARSED_RECORDS = 64;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
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

/** A file the change writes (its new content) or deletes (null), by tenant-environment-relative path. */
export type ChangedFile = readonly [path: string, content: string | null];

/** The files that differ between two maps, in path order. */
export function changedFiles(before: FileMap, after: FileMap): ChangedFile[] {
  const changed: ChangedFile[] = [];
  for (const [path, content] of after) if (before.get(path) !== content) changed.push([path, content]);
  for (const path of before.keys()) if (!after.has(path)) changed.push([path, null]);
  return changed.sort(([a], [b]) => a.localeCompare(b));
}

export function withChanges(files: FileMap, changed: readonly ChangedFile[]): FileMap {
  const result = new Map(files);
  for (const [path, content] of changed) {
    if (content === null) result.delete(path);
    else result.set(path, content);
  }
  return result;
}

/**
 * The files a change of some services reads or writes: theirs, their manifests, variables.yaml and
 * environment.yaml (the inputs of their manifests), and any `alsoPaths`. A compute task given only
 * these is told the services at head, so it can tell when the change reaches other services.
 */
export function serviceInputFiles(files: FileMap, services: Iterable<string>, alsoPaths: Iterable<string> = []): FileMap {
  const names = new Set(services);
  const extra = new Set([VARIABLES_FILE, ENVIRONMENT_FILE, ...alsoPaths]);
  const inputs: FileMap = new Map();
  for (const [path, content] of files) {
    const service = serviceOfPath(path);
    if ((service !== null && names.has(service)) || extra.has(path)) inputs.set(path, content);
  }
  return inputs;
}

/** The Git change set (repository paths) of changed files. */
export function repositoryChanges(ref: TenantEnvironmentRef, changed: readonly ChangedFile[]): FileChange[] {
  const dir = tenantEnvironmentDir(ref.tenant, ref.environment);
  return changed.map(([path, content]) => ({ path: `${dir}/${path}`, content: content === null ? null : fileBytes(content) }));
}

/** The Git change set (repository paths) that turns `before` into `after`. */
export function changesBetween(ref: TenantEnvironmentRef, before: FileMap, after: FileMap): FileChange[] {
  return repositoryChanges(ref, changedFiles(before, after));
}

/**
 * Services whose manifest inputs differ between two file maps: their own files, their
 * `services.<name>` key of variables.yaml, or — for every service — environment.yaml and the
 * global keys of variables.yaml. Unparseable variables count as a change for every service.
 * `allServices` names them when the maps hold only some services' files.
 */
export function servicesWithChangedInputs(before: FileMap, after: FileMap, allServices?: Iterable<string>): string[] {
  const all = [...new Set(allServices ?? [...servicesIn(before), ...servicesIn(after)])].sort();
  if (before.get(ENVIRONMENT_FILE) !== after.get(ENVIRONMENT_FILE)) return all;
  const changedPaths = [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path));
  const changed = new Set(all.filter((service) => changedPaths.some((path) => path.startsWith(`services/${service}/`))));
  if (before.get(VARIABLES_FILE) !== after.get(VARIABLES_FILE)) {
    const was = variablesByScope(before);
    const now = variablesByScope(after);
    if (!was || !now || was.global !== now.global) return all;
    for (const service of all) if (was.scoped(service) !== now.scoped(service)) changed.add(service);
  }
  return all.filter((service) => changed.has(service));
}

/** variables.yaml as canonical JSON per scope, or null when it cannot be read. */
function variablesByScope(files: FileMap): { global: string; scoped: (service: string) => string } | null {
  let variables: Record<string, unknown>;
  try {
    variables = parseRecord(files, VARIABLES_FILE);
  } catch {
    return null;
  }
  const { services, ...global } = variables;
  if (services !== undefined && services !== null && (typeof services !== 'object' || Array.isArray(services))) return null;
  const scoped = (services ?? {}) as Record<string, unknown>;
  return { global: canonicalJson(global), scoped: (service) => canonicalJson(Object.hasOwn(scoped, service) ? scoped[service] : undefined) };
}
