/** Per-environment approval policy: approval required or not, quorum N ≥ 1, self-approval blocking. */
import type { Actor } from '../actor';
import { requireRole } from '../access';
import { ArchivedError, requireProjectWritable } from '../archived';
import { recordAudit } from '../audit';
import { BadRequestError, NotFoundError } from '../errors';
import { requireApprovalWorkflow } from '../gating';
import type { Environment } from '../model';
import type { ApprovalPolicy, Backend } from '../ports';
import { organizationOf, projectBySlug } from '../workspace';

export const MAX_QUORUM = 10;

export interface ApprovalPolicyInput {
  project: string;
  environment: string;
  approvalRequired: boolean;
  quorum?: number | null;
  blockSelfApproval?: boolean | null;
}

export async function setApprovalPolicy(backend: Backend, actor: Actor | null, input: ApprovalPolicyInput): Promise<Environment> {
  const project = await projectBySlug(backend, actor, input.project);
  if (!project) throw new NotFoundError(`project ${input.project}`);
  const organization = await organizationOf(backend, project);
  requireApprovalWorkflow(organization);
  const admin = requireRole(actor, project.id, 'ADMIN', 'project');
  requireProjectWritable(project, organization);
  const policy = approvalPolicyOf(input);
  const environment = await backend.stores.environments.bySlug(project.id, input.environment);
  if (!environment) throw new NotFoundError(`environment ${input.environment}`);
  if (environment.archivedAt) throw new ArchivedError(`environment ${environment.slug}`, null);
  return backend.transact(async ({ stores }) => {
    const updated = await stores.environments.setPolicy(environment.id, policy);
    await recordAudit(stores, {
      projectId: project.id,
      actor: admin,
      action: 'approval_policy.updated',
      targetType: 'Environment',
      targetId: environment.id,
      details: { environment: environment.slug, before: policyOf(environment), after: policy },
      now: backend.now(),
    });
    return updated;
  });
}

/** A policy as given (quorum 1 and self-approval blocked unless said otherwise), checked. */
export function approvalPolicyOf(input: { approvalRequired?: boolean | null; quorum?: number | null; blockSelfApproval?: boolean | null }): ApprovalPolicy {
  const quorum = input.quorum ?? 1;
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > MAX_QUORUM) {
    throw new BadRequestError('INVALID_QUORUM', `quorum must be a whole number from 1 to ${MAX_QUORUM}`);
  }
  return { approvalRequired: input.approvalRequired ?? false, quorum, blockSelfApproval: input.blockSelfApproval ?? true };
}

export function policyOf(environment: Environment): ApprovalPolicy {
  return {
    approvalRequired: environment.approvalRequired,
    quorum: environment.quorum,
    blockSelfApproval: environment.blockSelfApproval,
  };
}
