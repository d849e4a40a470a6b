/** Feature gating by plan and feature flags, checked before anything else happens. */
import { PLANS, type FeatureFlag, type Organization, type Plan, type RollbackMode } from './model';
import { ForbiddenError } from './errors';

interface Gate {
  flags: FeatureFlag[];
  plan: Plan;
}

export const MODE_GATES: Record<RollbackMode, Gate> = {
  FULL: { flags: ['basic_rollback', 'rollback'], plan: 'FREE' },
  SERVICE: { flags: ['selective_rollback', 'rollback'], plan: 'PRO' },
  FIELD: { flags: ['selective_rollback', 'rollback'], plan: 'ENTERPRISE' },
};

export const MODE_BLAST_RADIUS: Record<RollbackMode, string> = {
  FULL: 'High: every service, binding, variable and environment setting of the tenant-environment returns to the target revision, healthy services included.',
  SERVICE: 'Medium: only the selected service\'s files, manifest and service-scoped variables change; other services stay at their current revision.',
  FIELD: 'Minimal: only the selected fields of one service change; every other byte of those files stays as it is.',
};

export type GateResult = { allowed: true } | { allowed: false; code: 'FEATURE_NOT_ENABLED' | 'PLAN_REQUIRED'; reason: string };

export function checkGate(organization: Organization, gate: Gate, what: string): GateResult {
  const missing = gate.flags.filter((flag) => !organization.featureFlags.includes(flag));
  if (missing.length > 0) {
    return { allowed: false, code: 'FEATURE_NOT_ENABLED', reason: `${what} requires the ${missing.join(' and ')} feature flag${missing.length > 1 ? 's' : ''}` };
  }
  if (PLANS.indexOf(organization.plan) < PLANS.indexOf(gate.plan)) {
    return { allowed: false, code: 'PLAN_REQUIRED', reason: `${what} requires the ${gate.plan} plan or higher (the organization is on ${organization.plan})` };
  }
  return { allowed: true };
}

function enforce(result: GateResult): void {
  if (!result.allowed) throw new ForbiddenError(result.code, result.reason);
}

export function modeGate(organization: Organization, mode: RollbackMode): GateResult {
  return checkGate(organization, MODE_GATES[mode], `${mode.toLowerCase()} rollback`);
}

export function requireModeAllowed(context: { organization: Organization }, mode: RollbackMode): void {
  enforce(modeGate(context.organization, mode));
}

/** Approval policies and the formal request workflow (pending → approved) need rollback_approval. */
export function approvalWorkflowEnabled(organization: Organization): boolean {
  return organization.featureFlags.includes('rollback_approval');
}

export function requireApprovalWorkflow(organization: Organization): void {
  enforce(checkGate(organization, { flags: ['rollback_approval'], plan: 'FREE' }, 'the rollback approval workflow'));
}
