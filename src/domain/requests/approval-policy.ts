/** Per-environment approval policy: approval required or not, quorum N ≥ 1, self-approval blocking. */
import { and, eq } from 'drizzle-orm';
import { environments } from '../../db/schema';
import type { Actor } from '../actor';
import { requireRole } from '../access';
import { recordAudit } from '../audit';
import { BadRequestError, NotFoundError } from '../errors';
import { requireApprovalWorkflow } from '../gating';
import type { Services } from '../services';
import { organizationOf, projectBySlug, type EnvironmentRow } from '../workspace';

export const MAX_QUORUM = 10;

export interface ApprovalPolicyInput {
  project: string;
  environment: string;
  approvalRequired: boolean;
  quorum?: number | null;
  blockSelfApproval?: boolean | null;
}

export async function setApprovalPolicy(services: Services, actor: Actor | null, input: ApprovalPolicyInput): Promise<EnvironmentRow> {
  const project = await projectBySlug(services, actor, input.project);
  if (!project) throw new NotFoundError(`project ${input.project}`);
  requireApprovalWorkflow(await organizationOf(services, project));
  const admin = requireRole(actor, project.id, 'ADMIN', 'project');
  const quorum = input.quorum ?? 1;
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > MAX_QUORUM) {
    throw new BadRequestError('INVALID_QUORUM', `quorum must be a whole number from 1 to ${MAX_QUORUM}`);
  }
  const [environment] = await services.db
    .select()
    .from(environments)
    .where(and(eq(environments.projectId, project.id), eq(environments.slug, input.environment)));
  if (!environment) throw new NotFoundError(`environment ${input.environment}`);
  const policy = {
    approvalRequired: input.approvalRequired,
    quorum,
    blockSelfApproval: input.blockSelfApproval ?? true,
  };
  return services.transaction(async (tx) => {
    const [updated] = await tx.update(environments).set(policy).where(eq(environments.id, environment.id)).returning();
    await recordAudit(tx, {
      projectId: project.id,
      actor: admin,
      action: 'approval_policy.updated',
      targetType: 'Environment',
      targetId: environment.id,
      details: { environment: environment.slug, before: pick(environment), after: policy },
      now: services.now(),
    });
    return updated!;
  });
}

function pick(environment: EnvironmentRow) {
  return {
    approvalRequired: environment.approvalRequired,
    quorum: environment.quorum,
    blockSelfApproval: environment.blockSelfApproval,
  };
}
