/** Creating and archiving a tenant-environment's services (a service is a directory services/<name>/, read as a name). */
import { archiveService } from '../../domain/onboarding/archive';
import { createService } from '../../domain/onboarding/services';
import { builder } from '../builder';
import { DeploymentRef } from './deployment';
import { TenantEnvironmentRef } from './tenant-environment';

const CreateServiceInput = builder.inputType('CreateServiceInput', {
  fields: (t) => ({
    project: t.string(),
    tenant: t.string(),
    environment: t.string(),
    service: t.string({ description: 'Lowercase letters, digits and dashes: its directory and Kubernetes name.' }),
    imageRepository: t.string({ required: false, description: 'Default <project>/<service>.' }),
    imageTag: t.string({ required: false, description: 'Default latest.' }),
    replicas: t.int({ required: false, defaultValue: 1 }),
    port: t.int({ required: false, defaultValue: 8080, description: 'The container port, named http.' }),
  }),
});

builder.mutationField('createService', (t) =>
  t.field({
    type: DeploymentRef,
    description: 'ADMIN only. Writes services/<service>/values.yaml and bindings.yaml skeletons and the generated manifest in one RELEASE commit.',
    args: { input: t.arg({ type: CreateServiceInput }) },
    resolve: (_root, { input }, ctx) =>
      createService(ctx.backend, ctx.actor, { ...input, image: { repository: input.imageRepository, tag: input.imageTag } }),
  }),
);

const ArchiveServiceInput = builder.inputType('ArchiveServiceInput', {
  fields: (t) => ({
    project: t.string(),
    tenant: t.string(),
    environment: t.string(),
    service: t.string(),
    archived: t.boolean({ required: false, defaultValue: true, description: 'false restores it.' }),
  }),
});

builder.mutationField('archiveService', (t) =>
  t.field({
    type: TenantEnvironmentRef,
    description: 'ADMIN only. An archived service is left out of `services` and no change to its files is committed; the files stay in Git as they are.',
    args: { input: t.arg({ type: ArchiveServiceInput }) },
    resolve: (_root, { input }, ctx) => archiveService(ctx.backend, ctx.actor, input, input.archived ?? true),
  }),
);
