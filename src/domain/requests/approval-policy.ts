/** Per-environment approval policy: approval required or not, quorum N ≥ 1, self-approval blocking. */
import type { Actor } from '../actor';
import { requireRole } from '../access';
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
  requireApprovalWorkflow(await organizationOf(backend, project));
  const admin = requireRole(actor, project.id, 'ADMIN', 'project');
  const quorum = input.quorum ?? 1;
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > MAX_QUORUM) {
    throw new BadRequestError('INVALID_QUORUM', `quorum must be a whole number from 1 to ${MAX_QUORUM}`);
  }
  const environment = await backend.stores.environments.bySlug(project.id, input.environment);
  if (!environment) throw new NotFoundError(`environment ${input.environment}`);
  const policy: ApprovalPolicy = {
    approvalRequired: input.approvalRequired,
    quorum,
    blockSelfApproval: input.blockSelfApproval ?? true,
  };
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

function policyOf(environment: Environment): ApprovalPolicy {
  return {
    approvalRequired: environment.approvalRequired,
    quorum: environment.quorum,
    blockSelfApproval: environment.blockSelfApproval,
  };
}
