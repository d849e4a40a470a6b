import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../kit/git-cli';
import { commitFiles, useFreshRepo } from './fixture';

/** head() reads loose ref files itself and leaves every other ref storage to libgit2. */
describe('GitStore head', () => {
  const repo = useFreshRepo();

  it('follows main through loose updates, pack-refs and a loose ref that shadows the packed one', async () => {
    const { dir, store } = repo;
    const first = await commitFiles(store, { a: '1' });
    expect(await store.head()).toBe(first);

    git(dir, ['pack-refs', '--all']);
    expect(fs.existsSync(path.join(dir, 'refs/heads/main'))).toBe(false);
    expect(await store.head()).toBe(first);

    const second = git(dir, ['commit-tree', `${first}^{tree}`, '-p', first, '-m', 'cli']);
    git(dir, ['update-ref', 'refs/heads/main', second, first]);
    expect(fs.readFileSync(path.join(dir, 'packed-refs'), 'utf8')).toContain(`${first} refs/heads/main`);
    expect(await store.head()).toBe(second);
    expect(await store.head()).toBe(git(dir, ['rev-parse', 'main']));
  });

  it('resolves a symbolic branch ref and reports a damaged one as libgit2 does', async () => {
    const { dir, store } = repo;
    const main = await commitFiles(store, { a: '1' });
    git(dir, ['symbolic-ref', 'refs/heads/alias', 'refs/heads/main']);
    expect(await store.head('alias')).toBe(main);

    fs.writeFileSync(path.join(dir, 'refs/heads/main'), `${main.slice(0, 39)}\n`);
    await expect(store.head()).rejects.toThrow(/corrupted loose reference file: refs\/heads\/main/);
  });
});
