/**
 * Break-glass sessions on the memory backend with a fake clock: DEPLOYER or higher opens one with a
 * justification, its length is capped at BREAK_GLASS_MAX_MINUTES, it expires on the clock, only its
 * owner (or an ADMIN) closes it, once; actions during it are flagged in the audit trail.
 */
import { describe, expect, it } from 'vitest';
import { closeBreakGlassSession, isActive, openBreakGlassSession } from '../../src/domain/requests/break-glass';
import { createMemoryBackend, seedWorkspace } from '../kit/memory-backend';

async function setup() {
  const m = createMemoryBackend({ breakGlassMaxMinutes: 120 });
  const ws = await seedWorkspace(m);
  return { m, ws, dana: await ws.user('dana', 'DEPLOYER') };
}

describe('break-glass sessions', () => {
  it('opens for 60 minutes by default, capped at the maximum, and expires on the clock', async () => {
    const { m, dana } = await setup();
    const session = await openBreakGlassSession(m.backend, dana, { project: 'shop', justification: ' sev1 ' });
    expect(session).toMatchObject({ justification: 'sev1', openedAt: m.clock.now(), closedAt: null });
    expect(session.expiresAt.getTime() - session.openedAt.getTime()).toBe(60 * 60_000);
    const capped = await openBreakGlassSession(m.backend, dana, { project: 'shop', justification: 'sev1', durationMinutes: 500 });
    expect(capped.expiresAt.getTime() - capped.openedAt.getTime()).toBe(120 * 60_000);
    const [audit] = await m.stores.audit.list(capped.projectId, { action: 'break_glass.opened' }, { limit: 1, beforeId: null });
    expect(audit?.details).toMatchObject({ durationMinutes: 120, requestedMinutes: 500 });
    expect(await m.stores.breakGlass.activeFor(dana.user.id, capped.projectId, m.clock.now())).not.toBeNull();
    m.clock.advance(120 * 60_000);
    expect(isActive(capped, m.clock.now())).toBe(false);
    expect(await m.stores.breakGlass.activeFor(dana.user.id, capped.projectId, m.clock.now())).toBeNull();
    await expect(closeBreakGlassSession(m.backend, dana, capped.id)).rejects.toMatchObject({ code: 'BREAK_GLASS_NOT_ACTIVE' });
  });

  it('needs a justification, a whole duration ≥ 1 and the DEPLOYER role', async () => {
    const { m, ws, dana } = await setup();
    await expect(openBreakGlassSession(m.backend, dana, { project: 'shop', justification: '  ' })).rejects.toMatchObject({ code: 'JUSTIFICATION_REQUIRED' });
    for (const durationMinutes of [0, 1.5]) {
      await expect(openBreakGlassSession(m.backend, dana, { project: 'shop', justification: 'x', durationMinutes })).rejects.toMatchObject({ code: 'INVALID_DURATION' });
    }
    await expect(openBreakGlassSession(m.backend, await ws.user('vic', 'VIEWER'), { project: 'shop', justification: 'x' })).rejects.toMatchObject({
      code: 'INSUFFICIENT_ROLE',
    });
    expect(await m.stores.breakGlass.ofProject(ws.projectId)).toEqual([]);
  });

  it('only its owner or an ADMIN closes it, once; only the owner’s actions carry the session', async () => {
    const { m, ws, dana } = await setup();
    const session = await openBreakGlassSession(m.backend, dana, { project: 'shop', justification: 'sev1' });
    await expect(closeBreakGlassSession(m.backend, await ws.user('devon', 'DEPLOYER'), session.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    m.clock.advance(1_000);
    const closed = await closeBreakGlassSession(m.backend, await ws.user('ada', 'ADMIN'), session.id);
    expect(closed.closedAt).toEqual(m.clock.now());
    await expect(closeBreakGlassSession(m.backend, dana, session.id)).rejects.toMatchObject({ code: 'BREAK_GLASS_NOT_ACTIVE' });
    const flagged = await m.stores.audit.list(ws.projectId, { breakGlassSessionId: session.id }, { limit: 10, beforeId: null });
    expect(flagged.map((event) => event.action)).toEqual(['break_glass.opened']);
    expect(await m.stores.breakGlass.activeFor(dana.user.id, ws.projectId, m.clock.now())).toBeNull();
  });
});
