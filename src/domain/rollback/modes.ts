/** The wizard's first step: which rollback modes the caller may use here, why not, and their blast radius. */
import { ROLLBACK_MODES, type Organization, type RollbackMode } from '../model';
import type { Actor } from '../actor';
import { roleIn, roleRank } from '../access';
import { MODE_BLAST_RADIUS, modeGate } from '../gating';

export interface RollbackModeOption {
  mode: RollbackMode;
  allowed: boolean;
  reason: string | null;
  blastRadius: string;
}

export function rollbackModes(actor: Actor | null, organization: Organization, projectId: string): RollbackModeOption[] {
  const role = roleIn(actor, projectId);
  return ROLLBACK_MODES.map((mode) => {
    const gate = modeGate(organization, mode);
    const reason = !gate.allowed
      ? gate.reason
      : !role || roleRank(role) < roleRank('DEPLOYER')
        ? `requesting a rollback requires the DEPLOYER role or higher (you are ${role ?? 'not a member'})`
        : null;
    return { mode, allowed: reason === null, reason, blastRadius: MODE_BLAST_RADIUS[mode] };
  });
}
