/** Services of a tenant-environment: created (skeleton + manifest in one commit), listed, archived. */
import type { Command } from 'commander';
import { currentServices } from '../domain/history/queries';
import { archiveService } from '../domain/onboarding/archive';
import { OPERATOR } from '../domain/onboarding/caller';
import { findProject, findTenantEnvironment } from '../domain/onboarding/lookup';
import { createService } from '../domain/onboarding/services';
import { integerOption, UsageError, type Cli } from './context';
import { whereOptions } from './tenant-environment';

interface Where {
  project: string;
  tenant: string;
  environment: string;
}

/** `registry.example.com:5000/team/app:v1.2` → repository and tag (the tag follows the last colon after the last slash). */
function parseImage(image: string): { repository: string; tag: string | undefined } {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  if (!image) throw new UsageError('--image must be REPOSITORY[:TAG]');
  return { repository: image, tag: undefined };
}

export function registerServiceCommands(program: Command, cli: Cli): void {
  const service = program.command('service').description('services of a tenant-environment');

  whereOptions(service.command('create').description('create a service: values.yaml and bindings.yaml skeletons and its manifest, in one commit'))
    .requiredOption('--service <name>', 'its name: its directory services/<name>/')
    .option('--image <repository[:tag]>', 'its image (default <project>/<service>:latest)')
    .option('--replicas <n>', 'replicas', integerOption('--replicas'))
    .option('--port <n>', 'the container port (named http)', integerOption('--port'))
    .action(async (options: Where & { service: string; image?: string; replicas?: number; port?: number }, command: Command) => {
      const image = options.image ? parseImage(options.image) : undefined;
      await cli.withBackend(command, async (backend) => {
        const deployment = await createService(backend, OPERATOR, { ...options, image });
        cli.line(`service ${options.service} created in ${options.tenant}/${options.environment}: commit ${deployment.revision}`);
      });
    });

  whereOptions(service.command('list').description('list the services at the head revision'))
    .option('--archived', 'include archived ones')
    .action(async (options: Where & { archived?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        const { project } = await findProject(backend, OPERATOR, options.project, 'VIEWER');
        const te = await findTenantEnvironment(backend, project, options.tenant, options.environment);
        const archived = new Set(await backend.stores.tenantEnvironments.archivedServices(te.id));
        const services = await currentServices(backend, te, options.archived ?? false);
        cli.table([['SERVICE', 'ARCHIVED'], ...services.map((s) => [s, archived.has(s) ? 'yes' : '-'])]);
      });
    });

  whereOptions(service.command('archive').description('archive a service (its files stay; no change to them is committed), or restore it'))
    .requiredOption('--service <name>', 'the service')
    .option('--restore', 'restore it instead')
    .action(async (options: Where & { service: string; restore?: boolean }, command: Command) => {
      await cli.withBackend(command, async (backend) => {
        await archiveService(backend, OPERATOR, options, !options.restore);
        cli.line(`service ${options.service} ${options.restore ? 'restored' : 'archived'}`);
      });
    });
}
