/**
 * Builds the incident screen (web/) into dist/web with esbuild: one ES module, one stylesheet and
 * the page. A fingerprint of the inputs is kept with the output, so `ensureWebBuild` rebuilds only
 * when web/, this script or the bundled packages changed (tests call it; `npm start` and
 * `npm test` run this script).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_SOURCE = path.join(ROOT, 'web');
export const WEB_OUTPUT = path.join(ROOT, 'dist/web');
const BUNDLED_PACKAGES = ['esbuild', 'preact', 'graphql-ws'];

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** Hash of every input of the bundle: the page's sources, this script, the versions of what is bundled. */
export function webFingerprint(): string {
  const hash = crypto.createHash('sha256');
  for (const file of [...filesUnder(WEB_SOURCE), fileURLToPath(import.meta.url)]) {
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  for (const name of BUNDLED_PACKAGES) {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    hash.update(`${name}@${manifest.version}\0`);
  }
  return hash.digest('hex');
}

function builtFingerprint(): string | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(WEB_OUTPUT, 'build.json'), 'utf8')) as { fingerprint: string }).fingerprint;
  } catch {
    return null;
  }
}

export async function buildWeb(): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const fingerprint = webFingerprint();
  // Built beside the output and renamed over it: a server reading dist/web never sees half a build.
  const staging = `${WEB_OUTPUT}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { incident: path.join(WEB_SOURCE, 'src/main.tsx') },
    outdir: staging,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    absWorkingDir: ROOT,
  });
  if (result.errors.length > 0) throw new Error(`web build failed: ${result.errors.map((e) => e.text).join('\n')}`);
  fs.copyFileSync(path.join(WEB_SOURCE, 'index.html'), path.join(staging, 'index.html'));
  fs.writeFileSync(path.join(staging, 'build.json'), JSON.stringify({ fingerprint }));
  fs.rmSync(WEB_OUTPUT, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(WEB_OUTPUT), { recursive: true });
  fs.renameSync(staging, WEB_OUTPUT);
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  return { ms: Math.round(performance.now() - started), bytes };
}

/** Builds unless dist/web was built from the current inputs. */
export async function ensureWebBuild(): Promise<boolean> {
  if (builtFingerprint() === webFingerprint()) return false;
  await buildWeb();
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  if (!force && builtFingerprint() === webFingerprint()) {
    console.log('incident screen: dist/web is up to date');
  } else {
    const { ms, bytes } = await buildWeb();
    console.log(`incident screen: built dist/web (${Math.round(bytes / 1024)} KiB) in ${ms} ms`);
  }
}
