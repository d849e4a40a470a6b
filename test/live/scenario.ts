/** Demo-workspace steps the live tests share: ids, the incident's rollback, agent reports. */
import { parse } from 'yaml';
import type { DeployReleaseInput, SyncReportInput, LiveServiceInput } from '../gql/graphql';
import type { TestApp } from '../kit/app';
import { call, ok, type Caller } from '../kit/client';
import { RequestReleaseDocument, ReviewApprovalRequestDocument } from '../kit/documents/approvals';
import { DeployReleaseDocument } from '../kit/documents/history';
import { ReportSyncStatusDocument } from '../kit/documents/live';
import { RequestRollbackDocument, ReviewDocument } from '../kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';
import { PROD, tagEdit } from './helpers';

export type Where = { project: string; tenant: string; environment: string };

export async function tenantEnvironment(t: TestApp, where: Where = PROD) {
  const te = ok(await call(t, 'DEPLOYER', TenantEnvironmentDocument, where)).tenantEnvironment!;
  return {
    id: te.id,
    projectId: te.project.id,
    head: te.headRevision!,
    deployments: te.deployments.edges.map((e) => e.node),
    /** The newest deployment's revision (headRevision is main's head, which may be another tenant-environment's commit). */
    latest: te.deployments.edges[0]!.node.revision,
    /** The revision before the newest deployment (on acme/production: before the bad tag). */
    previous: te.deployments.edges[1]!.node.revision,
    /** The revision before the newest change of api-gateway's image tag: a target for the tag rollback. */
    tagTarget: te.deployments.edges[te.deployments.edges.findIndex((e) => e.node.changes.some((c) => c.startsWith('api-gateway: image.tag'))) + 1]!.node
      .revision,
  };
}

/** A FIELD rollback of api-gateway's image.tag: the demo incident's fix. */
export function tagRollbackInput(targetSha: string, where: Where = PROD, justification = 'Bad image tag v2.1.1-rc0 causing 500 errors') {
  return {
    rollback: {
      ...where,
      mode: 'FIELD' as const,
      targetSha,
      service: 'api-gateway',
      fields: [{ file: 'values.yaml', path: 'image.tag' }],
    },
    justification,
  };
}

export async function requestTagRollback(t: TestApp, caller: Caller, targetSha: string, where: Where = PROD) {
  return ok(await call(t, caller, RequestRollbackDocument, { input: tagRollbackInput(targetSha, where) })).requestRollback;
}

export async function approve(t: TestApp, caller: Caller, id: string) {
  return call(t, caller, ReviewDocument, { input: { id, decision: 'APPROVE' } });
}

/** A release by the DEPLOYER; where the environment requires approval, requested and approved by the APPROVER. */
export async function release(t: TestApp, where: Where, service: string, tag: string): Promise<{ id: string; revision: string }> {
  return deploy(t, { ...where, description: `${service} ${tag}`, services: [tagEdit(service, tag)] });
}

/**
 * deployRelease; where the environment requires approval, requestRelease and the reviews of
 * `approvers` (other than the releaser) until it commits.
 */
export async function deploy(
  t: TestApp,
  input: DeployReleaseInput,
  releaser: Caller = 'DEPLOYER',
  approvers: Caller[] = ['APPROVER', 'APPROVER2'],
): Promise<{ id: string; revision: string }> {
  const plain = await call(t, releaser, DeployReleaseDocument, { input });
  if (plain.errors?.[0]?.extensions?.code !== 'APPROVAL_REQUIRED') return ok(plain).deployRelease;
  const requested = ok(await call(t, releaser, RequestReleaseDocument, { input })).requestRelease;
  let request: { state: string; deployment?: { id: string; revision: string } | null } = requested;
  for (const approver of approvers.filter((a) => a !== releaser)) {
    if (request.state !== 'PENDING') break;
    request = ok(await call(t, approver, ReviewApprovalRequestDocument, { input: { id: requested.id, decision: 'APPROVE' } })).reviewApprovalRequest;
  }
  if (!request.deployment) throw new Error(`release request ${requested.id} is ${request.state}`);
  return request.deployment;
}

/** What the agent would observe if the cluster ran exactly the desired state at `revision`. */
export async function desiredLive(t: TestApp, where: Where, revision: string): Promise<LiveServiceInput[]> {
  const git = await t.app.backend.repositories.forProject(where.project);
  const dir = `tenants/${where.tenant}/${where.environment}/services`;
  const live: LiveServiceInput[] = [];
  for (const service of await git.listDirectories(revision, dir)) {
    const values = parse((await git.readFile(revision, `${dir}/${service}/values.yaml`))!.toString('utf8')) as {
      image: { tag: string };
      replicas: number;
      resources: { limits: { memory: string } };
    };
    live.push({
      service,
      imageTag: String(values.image.tag),
      replicas: values.replicas,
      values: { 'resources.limits.memory': values.resources.limits.memory },
    });
  }
  return live;
}

export function reportInput(where: Where, revision: string, overrides: Partial<SyncReportInput> = {}): SyncReportInput {
  return { ...where, revision, syncState: 'SYNCED', health: 'HEALTHY', services: [], ...overrides };
}

export async function report(t: TestApp, caller: Caller | null, input: SyncReportInput) {
  return call(t, caller, ReportSyncStatusDocument, { input });
}
