/**
 * The request state machine (README "Request States"), every pair of states, on the memory stores:
 * an allowed transition is stored with its timestamp, a refused one changes nothing, and a request
 * that moved meanwhile cannot be moved again from its old state.
 */
import { describe, expect, it } from 'vitest';
import type { RequestState } from '../../src/domain/model';
import { TRANSITIONS, canTransition, transition } from '../../src/domain/requests/state-machine';
import { createMemoryBackend, seedWorkspace } from '../kit/memory-backend';
import { ALL_PAIRS, ALLOWED, TIMESTAMP, isAllowed } from '../kit/request-states';

async function requestIn(state: RequestState) {
  const m = createMemoryBackend();
  const ws = await seedWorkspace(m);
  const request = await ws.pendingRequest(await ws.user('dana', 'DEPLOYER'), { state });
  m.clock.advance(5_000);
  return { m, request };
}

describe('the transition table', () => {
  it('is exactly the README\'s: COMPLETED and REJECTED are final, FAILED may be retried', () => {
    expect(ALL_PAIRS.filter(([from, to]) => canTransition(from, to))).toEqual(ALLOWED);
    expect(TRANSITIONS.COMPLETED).toEqual([]);
    expect(TRANSITIONS.REJECTED).toEqual([]);
  });
});

describe('transition()', () => {
  it.each(ALL_PAIRS.filter(([from, to]) => isAllowed(from, to)))('%s → %s is stored with its timestamp', async (from, to) => {
    const { m, request } = await requestIn(from);
    const moved = await m.backend.transact(({ stores }) => transition(stores, request, to, m.backend.now(), { attempts: 2 }));
    const now = m.clock.now();
    expect(moved).toMatchObject({ state: to, updatedAt: now, attempts: 2, [TIMESTAMP[to]!]: now });
    expect(await m.stores.requests.byId(request.id)).toEqual(moved);
  });

  it.each(ALL_PAIRS.filter(([from, to]) => !isAllowed(from, to)))('%s → %s is refused and changes nothing', async (from, to) => {
    const { m, request } = await requestIn(from);
    await expect(m.backend.transact(({ stores }) => transition(stores, request, to, m.backend.now()))).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      message: `a ${from.toLowerCase()} rollback request cannot become ${to.toLowerCase()}`,
    });
    expect(await m.stores.requests.byId(request.id)).toEqual(request);
  });

  it('is guarded by the state the caller read: of two writers only the first moves the request', async () => {
    const { m, request } = await requestIn('PENDING');
    const approved = await m.backend.transact(({ stores }) => transition(stores, request, 'APPROVED', m.backend.now()));
    // The second writer still holds the PENDING row it read before.
    await expect(m.backend.transact(({ stores }) => transition(stores, request, 'REJECTED', m.backend.now()))).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      message: 'the rollback request is no longer pending',
    });
    expect(await m.stores.requests.byId(request.id)).toEqual(approved);
  });

  it('a refused transition rolls back the rest of its transaction', async () => {
    const { m, request } = await requestIn('COMPLETED');
    await expect(
      m.backend.transact(async ({ stores }) => {
        await stores.notes.insert({ id: 'note-1', requestId: request.id, authorId: request.requestedById, note: 'x', createdAt: m.backend.now() });
        return transition(stores, request, 'EXECUTING', m.backend.now());
      }),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await m.stores.notes.ofRequests([request.id])).toEqual([[]]);
  });
});
