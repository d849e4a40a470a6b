/** Cluster sync status as reported by agents: latest report, reachability, drift. */
import { desc, eq } from 'drizzle-orm';
import { syncReports } from '../db/schema';
import type { Services } from './services';
import type { FieldDiff } from './diff/compare-files';
import { serviceOfPath } from './layout';

export type SyncReportRow = typeof syncReports.$inferSelect;

export async function latestSyncReport(services: Services, tenantEnvironmentId: string): Promise<SyncReportRow | null> {
  const [row] = await services.db
    .select()
    .from(syncReports)
    .where(eq(syncReports.tenantEnvironmentId, tenantEnvironmentId))
    .orderBy(desc(syncReports.id))
    .limit(1);
  return row ?? null;
}

/** The live value an agent reported for a desired-state field, if it reports that field. */
export function liveValueOf(report: SyncReportRow, field: Pick<FieldDiff, 'file' | 'path'>): unknown {
  const service = serviceOfPath(field.file);
  if (!service || !field.file.endsWith('/values.yaml')) return undefined;
  const live = report.liveValues.find((v) => v.service === service);
  if (!live) return undefined;
  if (field.path === 'image.tag' && live.imageTag !== undefined) return live.imageTag;
  if (field.path === 'replicas' && live.replicas !== undefined) return live.replicas;
  return live.values?.[field.path];
}
