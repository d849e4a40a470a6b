import type { RollbackModeOption } from '../../domain/rollback/modes';
import { builder } from '../builder';
import { RollbackModeEnum } from './enums';

export const RollbackModeOptionRef = builder.objectRef<RollbackModeOption>('RollbackModeOption');

RollbackModeOptionRef.implement({
  fields: (t) => ({
    mode: t.field({ type: RollbackModeEnum, resolve: (o) => o.mode }),
    allowed: t.exposeBoolean('allowed'),
    reason: t.exposeString('reason', { nullable: true, description: 'Why not: the missing flag, plan or role.' }),
    blastRadius: t.exposeString('blastRadius'),
  }),
});
