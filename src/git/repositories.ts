/** Each project's hosted bare repository under the repositories directory (the domain's Repositories port). */
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from '../domain/errors';
import type { Repositories, StagedRepository } from '../domain/ports';
import { GitStore } from './git-store';
import { stageClone } from './staged-clone';

export class RepositoryRegistry implements Repositories {
  private readonly open = new Map<string, Promise<GitStore>>();

  constructor(readonly directory: string) {}

  pathFor(projectSlug: string): string {
    return path.join(this.directory, `${projectSlug}.git`);
  }

  /** Opens an existing repository; a missing one is reported, never silently recreated. */
  forProject(projectSlug: string): Promise<GitStore> {
    let store = this.open.get(projectSlug);
    if (!store) {
      const dir = this.pathFor(projectSlug);
      store = fs.existsSync(dir)
        ? GitStore.open(dir)
        : Promise.reject(new DomainError('REPOSITORY_MISSING', `repository of project ${projectSlug} is missing at ${dir}`, 500));
      store.catch(() => this.open.delete(projectSlug));
      this.open.set(projectSlug, store);
    }
    return store;
  }

  async create(projectSlug: string): Promise<GitStore> {
    fs.mkdirSync(this.directory, { recursive: true });
    const store = GitStore.init(this.pathFor(projectSlug));
    this.open.set(projectSlug, store);
    return store;
  }

  stage(source: string, branch: string): Promise<StagedRepository> {
    return stageClone(this.directory, source, branch);
  }
}
