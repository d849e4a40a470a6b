/**
 * Bringing an existing repository: cloned bare (history included) under a temporary name, checked
 * against the layout and for damaged objects, then — only if nothing is missing — moved into place,
 * recorded as a project and indexed, so its past commits show as RELEASE deployments. A refused
 * import leaves nothing behind: no repository, no row.
 */
import { ArchivedError } from '../archived';
import { BadRequestError, ConflictError, DomainError } from '../errors';
import { indexHistory } from '../history/index-history';
import { newId } from '../ids';
import type { Organization, Project } from '../model';
import { StagingError, type Backend, type StagedRepository } from '../ports';
import { auditOnboarding, type Operator } from './caller';
import { checkLayout, formatLayoutReport, type LayoutReport } from './layout-check';
import { checkName, checkSlug, organizationOrOnly } from './lookup';

export interface ImportInput {
  /** May be left out when there is exactly one organization. */
  organization?: string | null;
  project: string;
  name?: string | null;
  /** A path on this machine or a URL it reaches (https, ssh, file). */
  from: string;
  /** The branch to import as main (default main). */
  branch?: string | null;
}

export class ImportRefusedError extends BadRequestError {
  constructor(
    readonly source: string,
    readonly report: LayoutReport,
  ) {
    super('IMPORT_REFUSED', [`${source} does not follow the repository layout; nothing was imported.`, ...formatLayoutReport(report)].join('\n'), {
      missing: report.missing,
    });
  }
}

export interface StagedImport {
  staged: StagedRepository;
  report: LayoutReport;
}

/** Clones and checks the source; refused (and removed) when anything the layout needs is missing. */
export async function stageImport(backend: Backend, input: Pick<ImportInput, 'from' | 'branch' | 'project'>): Promise<StagedImport> {
  checkSlug(input.project, 'project slug');
  if (await backend.stores.projects.bySlug(input.project)) throw new ConflictError('PROJECT_EXISTS', `project ${input.project} already exists`);
  const branch = input.branch?.trim() || 'main';
  let staged: StagedRepository;
  try {
    staged = await backend.repositories.stage(input.from, branch);
  } catch (error) {
    if (!(error instanceof StagingError)) throw error;
    const hint = error.branches.length > 0 ? ` (its branches: ${error.branches.join(', ')}; pass --branch to import one of them as main)` : '';
    throw new BadRequestError('IMPORT_SOURCE_UNREADABLE', `${error.message}${hint}; nothing was imported`);
  }
  try {
    const report = await checkLayout(staged.repository, input.project);
    report.missing.push(...(await staged.check()));
    if (report.missing.length > 0) throw new ImportRefusedError(input.from, report);
    return { staged, report };
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

/** Moves a staged import into place and records it as a project; undone entirely if recording fails. */
export async function installImport(
  backend: Backend,
  staging: StagedImport,
  input: { organization: Organization; project: string; name: string; from: string },
): Promise<Project> {
  if (input.organization.archivedAt) throw new ArchivedError(`organization ${input.organization.slug}`, null);
  let project: Project;
  try {
    await staging.staged.install(input.project);
    project = await backend.transact(async ({ stores }) => {
      const row = await stores.projects.insert({ id: newId('prj'), organizationId: input.organization.id, slug: input.project, name: input.name });
      await auditOnboarding(stores, null, {
        projectId: row.id,
        action: 'project.imported',
        targetType: 'Project',
        targetId: row.id,
        details: {
          slug: row.slug,
          organization: input.organization.slug,
          from: input.from.replace(/\/\/[^/@]*@/, '//'),
          head: staging.report.head,
          commits: staging.report.commits,
          outsideLayout: staging.report.outsideLayout.length,
          differingManifests: staging.report.differingManifests,
        },
        now: backend.now(),
      });
      return row;
    });
  } catch (error) {
    await staging.staged.discard();
    throw error;
  }
  // The deployment history of every past commit; should it fail, the indexer records it at the next read.
  await indexHistory(backend, project);
  return project;
}

export async function importProject(backend: Backend, _operator: Operator, input: ImportInput): Promise<{ project: Project; report: LayoutReport }> {
  const organization = await organizationOrOnly(backend, input.organization);
  if (organization.archivedAt) throw new ArchivedError(`organization ${organization.slug}`, null);
  const name = checkName(input.name, 'project', input.project);
  const staging = await stageImport(backend, input);
  try {
    return { project: await installImport(backend, staging, { organization, project: input.project, name, from: input.from }), report: staging.report };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError('IMPORT_FAILED', `the import of ${input.from} failed: ${(error as Error).message}; nothing was imported`, 500);
  }
}
