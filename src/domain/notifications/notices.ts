/** What a transaction tells notification targets about besides its domain events. */
import type { BreakGlassSession } from '../model';

export interface DriftedField {
  service: string;
  field: string;
  desired: unknown;
  live: unknown;
}

export type Notice =
  | { kind: 'BREAK_GLASS_OPENED'; session: BreakGlassSession; at: Date }
  | {
      kind: 'AGENT_UNREACHABLE';
      projectId: string;
      tenantEnvironmentId: string;
      /** The report the agent went silent after: one notification per silence, however many instances notice it. */
      lastReportedAt: Date;
      silenceMs: number;
      at: Date;
    }
  | { kind: 'DRIFT_DETECTED'; projectId: string; tenantEnvironmentId: string; reportId: number; revision: string; drift: DriftedField[]; at: Date };
