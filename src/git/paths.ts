import { InvalidPathError } from './errors';

function segmentsOf(path: string): string[] {
  if (typeof path !== 'string') throw new InvalidPathError(String(path), 'not a string');
  if (path.includes('\0')) throw new InvalidPathError(path, 'contains a NUL byte');
  if (path.includes('\\')) throw new InvalidPathError(path, 'use forward slashes');
  if (path.startsWith('/')) throw new InvalidPathError(path, 'absolute paths are not allowed');
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '') throw new InvalidPathError(path, 'empty path segment');
    if (segment === '.' || segment === '..') {
      throw new InvalidPathError(path, `'${segment}' segments are not allowed`);
    }
  }
  return segments;
}

/** Validates a file path inside the repository and returns its segments. */
export function filePathSegments(path: string): string[] {
  const segments = segmentsOf(path);
  // git fsck rejects trees containing a `.git` entry, so never write one.
  if (segments.some((s) => s.toLowerCase() === '.git')) {
    throw new InvalidPathError(path, "'.git' is not allowed as a path component");
  }
  return segments;
}

/** Validates a directory argument; '' (or '/'-terminated forms) address the root / the directory itself. */
export function normalizeDirPath(dir: string): string {
  const trimmed = typeof dir === 'string' ? dir.replace(/(.)\/+$/, '$1') : dir;
  if (trimmed === '') return '';
  return segmentsOf(trimmed).join('/');
}

export function normalizeFilePath(path: string): string {
  return segmentsOf(path).join('/');
}

/** Byte-wise comparison of UTF-8 paths: matches git's ordering of full paths. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
