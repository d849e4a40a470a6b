/** Request timelines, updated live, and the approver's inbox of what waits on them. */
import { useState } from 'preact/hooks';
import { addNote, review, waitsOn, type PageRequest } from '../approvals';
import { short, time } from '../format';
import { useAction, useLive } from '../hooks';

function ReviewButtons({ request, onChanged, label }: { request: PageRequest; onChanged(r: PageRequest): void; label: string }) {
  const { api } = useLive();
  const action = useAction();
  const [comment, setComment] = useState('');
  const decide = (decision: 'APPROVE' | 'REJECT') =>
    void action.run(async () => {
      onChanged(await review(api, request, decision, comment));
      setComment('');
    });
  return (
    <div class="review" role="group" aria-label={`${label} ${request.id}`}>
      <label>
        Comment <input type="text" value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
      </label>
      <button type="button" class="primary" disabled={action.busy} onClick={() => decide('APPROVE')}>
        Approve
      </button>
      <button type="button" disabled={action.busy} onClick={() => decide('REJECT')}>
        Reject
      </button>
      {action.error && (
        <p class="error" role="alert" data-testid="review-error">
          {action.error}
        </p>
      )}
    </div>
  );
}

function Notes({ request, onChanged }: { request: PageRequest; onChanged(r: PageRequest): void }) {
  const { api } = useLive();
  const action = useAction();
  const [note, setNote] = useState('');
  return (
    <div class="notes">
      {request.notes.length > 0 && (
        <ul>
          {request.notes.map((n) => (
            <li key={n.id}>
              <span class="muted">
                {time(n.createdAt)} · {n.author}:
              </span>{' '}
              {n.note}
            </li>
          ))}
        </ul>
      )}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            onChanged(await addNote(api, request, note));
            setNote('');
          });
        }}
      >
        <label>
          Add a note <input type="text" value={note} required onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={action.busy || note.trim() === ''}>
          Add note
        </button>
      </form>
      {action.error && <p class="error" role="alert">{action.error}</p>}
    </div>
  );
}

const SETTLED = ['COMPLETED', 'FAILED', 'REJECTED'];

export function RequestCard({ request, canReview, onChanged }: { request: PageRequest; canReview: boolean; onChanged(r: PageRequest): void }) {
  return (
    <article class={`request state-${request.state.toLowerCase()}`} data-request-id={request.id} aria-labelledby={`${request.id}-title`}>
      <header class="row">
        <h3 id={`${request.id}-title`}>{request.title}</h3>
        <span class="badge state" data-testid="request-state">
          {request.state}
        </span>
        {request.breakGlass && <span class="badge bad">break-glass</span>}
      </header>
      <p class="muted">
        <span class="mono">{request.id}</span> · {request.where} · requested by {request.requestedBy.name}
      </p>
      <ol class="timeline" aria-label={`Timeline of ${request.id}`}>
        {request.steps.map((step, i) => (
          <li key={i} class={step.tone ?? ''}>
            <strong>{step.label}</strong> <span class="muted">{time(step.at)}</span>
            {step.who && <> · {step.who}</>}
            {step.detail && <div class="detail">{step.detail}</div>}
          </li>
        ))}
      </ol>
      {request.resultRevision && (
        <p>
          Resulting commit: <span class="mono" data-testid="result-revision">{short(request.resultRevision)}</span>
        </p>
      )}
      {request.state === 'FAILED' && request.error && <p class="error">{request.error}</p>}
      {canReview && request.state === 'PENDING' && <ReviewButtons request={request} onChanged={onChanged} label="Review" />}
      {request.takesNotes && <Notes request={request} onChanged={onChanged} />}
    </article>
  );
}

export function Inbox({ requests, viewerId, onChanged }: { requests: PageRequest[]; viewerId: string; onChanged(r: PageRequest): void }) {
  const waiting = requests.filter((r) => waitsOn(r, viewerId));
  return (
    <section class={`panel inbox ${waiting.length === 0 ? 'empty' : ''}`} aria-labelledby="inbox-title" data-testid="inbox">
      <h2 id="inbox-title">
        Waiting on you <span class="badge">{waiting.length}</span>
      </h2>
      {waiting.length === 0 && <p class="muted">Nothing waits on your review.</p>}
      {waiting.map((r) => (
        <div key={r.id} class="inbox-item" data-request-id={r.id}>
          <p>
            <strong>{r.title}</strong> <span class="muted">on {r.where}</span>
            <br />
            <span class="muted">
              {r.requestedBy.name}, {time(r.createdAt)}:
            </span>{' '}
            “{r.justification}”
          </p>
          <ReviewButtons request={r} onChanged={onChanged} label="Review from inbox" />
        </div>
      ))}
    </section>
  );
}

/** Open requests and the newest settled ones; older ones on demand. */
const SETTLED_SHOWN = 3;

export function Requests({ requests, canReview, onChanged }: { requests: PageRequest[]; canReview: boolean; onChanged(r: PageRequest): void }) {
  const [all, setAll] = useState(false);
  const open = requests.filter((r) => !SETTLED.includes(r.state));
  const settled = requests.filter((r) => SETTLED.includes(r.state));
  const shown = all ? requests : [...open, ...settled.slice(0, SETTLED_SHOWN)];
  return (
    <section class="panel requests-panel" aria-labelledby="requests-title" data-testid="requests">
      <h2 id="requests-title">Requests</h2>
      {requests.length === 0 && <p class="muted">No requests for this tenant-environment.</p>}
      {shown.map((r) => (
        <RequestCard key={r.id} request={r} canReview={canReview} onChanged={onChanged} />
      ))}
      {shown.length < requests.length && (
        <button type="button" onClick={() => setAll(true)}>
          Show all {requests.length} requests
        </button>
      )}
    </section>
  );
}
