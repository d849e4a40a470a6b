/**
 * The helper process that starts git: a server that dies without stopping it leaves neither the
 * helper nor its socket directory behind.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, tempDir, type TestApp } from '../kit/app';
import { processesWhose } from '../kit/processes';
import { waitUntil } from './helpers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let t: TestApp | undefined;
const dirs: string[] = [];
afterAll(async () => {
  await t?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Processes whose command line names `text`. */
const processesNaming = (text: string) => processesWhose((argv) => argv.some((arg) => arg.includes(text)));

describe('the git spawner', () => {
  it('serves a request, and when its server exits without stopping it, the helper exits and removes its socket directory', async () => {
    t = await createTestApp();
    const tmp = tempDir('backtrack-spawner-');
    dirs.push(tmp);
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        path.join(ROOT, 'node_modules/.bin/tsx'),
        ['test/git-http/fixtures/spawner-then-exit.ts', t!.config.repositoriesDir],
        { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' },
        (error, stdout, stderr) => (error ? reject(Object.assign(error, { stderr })) : resolve(stdout)),
      ),
    );
    const served = JSON.parse(output) as { code: number; head: string; socketDirectories: string[] };
    expect(served).toMatchObject({ code: 0, head: 'Expires: Fri, 01 Jan 1980 00:00:00 GMT' });
    expect(served.socketDirectories).toHaveLength(1);
    await waitUntil('the helper gone', () => processesNaming(tmp).length === 0);
    await waitUntil('its socket directory removed', () => !fs.readdirSync(tmp).some((name) => name.startsWith('backtrack-git-')));
  });
});
