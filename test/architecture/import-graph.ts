/**
 * The import graph of src/, read with the TypeScript compiler's own scanner: value imports, type
 * imports, re-exports and `import()` types alike, resolved to files. Run directly to print it:
 * `npx tsx test/architecture/import-graph.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(ROOT, 'src');

export interface ImportGraph {
  /** File (relative to src/) → the src files it imports. */
  edges: Map<string, Set<string>>;
  /** File → the packages it imports (bare specifiers). */
  packages: Map<string, Set<string>>;
}

/** The TypeScript files under `dir`, declaration files left out. */
export function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveLocal(from: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

export function readImportGraph(): ImportGraph {
  const edges = new Map<string, Set<string>>();
  const packages = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const key = path.relative(SRC, file);
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const local = new Set<string>();
    const external = new Set<string>();
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith('.')) {
        const target = resolveLocal(file, fileName);
        if (target?.startsWith(SRC)) local.add(path.relative(SRC, target));
      } else {
        external.add(fileName.startsWith('@') ? fileName.split('/').slice(0, 2).join('/') : fileName.split('/')[0]!);
      }
    }
    edges.set(key, local);
    packages.set(key, external);
  }
  return { edges, packages };
}

/** Strongly connected components with more than one file (or a file importing itself): the import circles. */
export function importCircles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || edges.get(node)?.has(node)) circles.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!indices.has(node)) visit(node);
  return circles;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const graph = readImportGraph();
  const circles = importCircles(graph.edges);
  process.stdout.write(`${graph.edges.size} files, ${circles.length} import circle(s)\n`);
  for (const circle of circles) process.stdout.write(`  ${circle.join(' ↔ ')}\n`);
}
