/** Break-glass: a prominent banner while a session is open, and the session's audited actions. */
import { useState } from 'preact/hooks';
import type { IncidentBreakGlassQuery } from '../../gql/graphql';
import { CloseBreakGlassDocument, OpenBreakGlassDocument } from '../documents';
import { time } from '../format';
import { useAction, useLive } from '../hooks';

type Session = NonNullable<IncidentBreakGlassQuery['project']>['breakGlassSessions'][number];

export function BreakGlass({ project, sessions, viewerId, canOpen, onChanged }: { project: string; sessions: Session[]; viewerId: string; canOpen: boolean; onChanged(): void }) {
  const { api } = useLive();
  const action = useAction();
  const [justification, setJustification] = useState('');
  const [opening, setOpening] = useState(false);
  const active = sessions.filter((s) => s.active);
  const mine = active.find((s) => s.user.id === viewerId);
  return (
    <div class="break-glass-area">
      {active.map((s) => (
        <section key={s.id} class="break-glass" role="alert" aria-label="Break-glass session open" data-testid="break-glass-banner">
          <strong>BREAK-GLASS OPEN</strong> — {s.user.name} bypasses approval in project {project} until {time(s.expiresAt)}: “{s.justification}”
          {s.actions.length > 0 && (
            <details>
              <summary>{s.actions.length} action(s) under this session</summary>
              <ul>
                {s.actions.map((a) => (
                  <li key={a.id}>
                    {time(a.createdAt)} {a.action} <span class="mono">{a.targetId}</span>
                  </li>
                ))}
              </ul>
            </details>
          )}
          {s.user.id === viewerId && (
            <button type="button" disabled={action.busy} onClick={() => void action.run(async () => (await api.request(CloseBreakGlassDocument, { id: s.id }), onChanged()))}>
              Close break-glass
            </button>
          )}
        </section>
      ))}
      {canOpen && !mine && !opening && (
        <button type="button" class="danger" onClick={() => setOpening(true)}>
          Open break-glass…
        </button>
      )}
      {canOpen && !mine && opening && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              await api.request(OpenBreakGlassDocument, { input: { project, justification } });
              setOpening(false);
              setJustification('');
              onChanged();
            });
          }}
        >
          <label>
            Break-glass justification <input type="text" required value={justification} onInput={(e) => setJustification((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="danger" disabled={action.busy || justification.trim() === ''}>
            Open break-glass
          </button>
          <button type="button" onClick={() => setOpening(false)}>
            Cancel
          </button>
        </form>
      )}
      {action.error && <p class="error" role="alert">{action.error}</p>}
    </div>
  );
}
