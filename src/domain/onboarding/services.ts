/**
 * Creating a service: its `values.yaml` and `bindings.yaml` skeletons and its generated manifest,
 * in one RELEASE commit through the one write path (a tenant-environment without any file yet
 * also gets its `environment.yaml` and `variables.yaml`).
 */
import { requireWritable } from '../archived';
import { commitTenantEnvironmentChange } from '../commit-change';
import { formatCommitMessage } from '../commit-metadata';
import { BadRequestError, ConflictError } from '../errors';
import { BINDINGS_FILE, ENVIRONMENT_FILE, VALUES_FILE, VARIABLES_FILE, serviceFile } from '../layout';
import type { Deployment } from '../model';
import type { Backend } from '../ports';
import { servicesIn, type FileMap } from '../tenant-environment-files';
import { auditOnboarding, authorOf, type Caller } from './caller';
import { checkSlug, findProject, findTenantEnvironment } from './lookup';

export interface CreateServiceInput {
  project: string;
  tenant: string;
  environment: string;
  service: string;
  /** Defaults: `<project>/<service>` and `latest`. */
  image?: { repository?: string | null; tag?: string | null } | null;
  replicas?: number | null;
  /** The container port, named `http`. */
  port?: number | null;
}

const IMAGE_REPOSITORY = /^[a-z0-9]([a-z0-9._\-/:]{0,253}[a-z0-9])?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

interface ServiceSkeleton {
  service: string;
  repository: string;
  tag: string;
  replicas: number;
  port: number;
}

function skeletonOf(input: CreateServiceInput): ServiceSkeleton {
  const service = checkSlug(input.service, 'service name');
  const repository = input.image?.repository?.trim() || `${input.project}/${service}`;
  const tag = input.image?.tag?.trim() || 'latest';
  const replicas = input.replicas ?? 1;
  const port = input.port ?? 8080;
  if (!IMAGE_REPOSITORY.test(repository)) throw new BadRequestError('INVALID_IMAGE', `invalid image repository "${repository}"`);
  if (!IMAGE_TAG.test(tag)) throw new BadRequestError('INVALID_IMAGE', `invalid image tag "${tag}"`);
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 1000) throw new BadRequestError('INVALID_REPLICAS', 'replicas must be a whole number from 0 to 1000');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BadRequestError('INVALID_PORT', 'port must be a whole number from 1 to 65535');
  return { service, repository, tag, replicas, port };
}

function valuesSkeleton(s: ServiceSkeleton): string {
  return `# ${s.service} workload configuration
image:
  repository: ${s.repository}
  tag: "${s.tag}"
  pullPolicy: IfNotPresent

replicas: ${s.replicas}

resources:
  requests:
    cpu: 100m
    memory: 128Mi

ports:
  http: ${s.port}

env:
  LOG_LEVEL: info
`;
}

function bindingsSkeleton(s: ServiceSkeleton): string {
  return `# Kustomize and manifest bindings for ${s.service}
kustomize:
  patches: []
manifests: []
`;
}

/** The files a tenant-environment starts with, when its first service is created. */
function tenantEnvironmentSkeleton(tenant: string, environment: string): FileMap {
  return new Map([
    [ENVIRONMENT_FILE, `# Environment-level configuration\nname: ${environment}\nnamespace: ${tenant}-${environment}\n`],
    [
      VARIABLES_FILE,
      `# HQ Variables for ${tenant}/${environment}\n# Top-level keys apply to every service; services.<name> applies to one.\nservices: {}\n`,
    ],
  ]);
}

export async function createService(backend: Backend, caller: Caller, input: CreateServiceInput): Promise<Deployment> {
  const { project, user } = await findProject(backend, caller, input.project, 'ADMIN');
  const skeleton = skeletonOf(input);
  const te = await findTenantEnvironment(backend, project, input.tenant, input.environment);
  requireWritable(te);
  const author = authorOf(user);
  const description = `Create service ${skeleton.service}`;
  const committed = await commitTenantEnvironmentChange(backend, {
    tenantEnvironment: te,
    author,
    what: 'service creation',
    message: () => formatCommitMessage({ kind: 'RELEASE', tenantEnvironment: te.ref, authorEmail: author.email, description }),
    apply: (current) => {
      if (servicesIn(current).includes(skeleton.service)) {
        throw new ConflictError('SERVICE_EXISTS', `service ${skeleton.service} already exists in ${te.ref.tenant}/${te.ref.environment}`);
      }
      const files = current.size === 0 ? tenantEnvironmentSkeleton(te.ref.tenant, te.ref.environment) : new Map(current);
      files.set(serviceFile(skeleton.service, VALUES_FILE), valuesSkeleton(skeleton));
      files.set(serviceFile(skeleton.service, BINDINGS_FILE), bindingsSkeleton(skeleton));
      return files;
    },
    record: ({ stores }, { sha, deployment }) =>
      auditOnboarding(stores, user, {
        projectId: project.id,
        action: 'service.created',
        targetType: 'Deployment',
        targetId: deployment.id,
        tenantEnvironmentId: te.id,
        details: { service: skeleton.service, revision: sha, image: `${skeleton.repository}:${skeleton.tag}` },
        now: backend.now(),
      }),
  });
  return committed.deployment;
}
