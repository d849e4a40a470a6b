/**
 * The rollback wizard: scope (with each mode's blast radius, unavailable ones with the reason),
 * service and fields, the preview, a required justification, submit. The request carries the
 * preview's hash, so it does exactly what was previewed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { IncidentDeploymentRowFragment, IncidentPreviewRollbackMutation, RollbackInput, RollbackMode } from '../../gql/graphql';
import { CompareDocument, PreviewRollbackDocument, RequestRollbackDocument, RollbackModesDocument } from '../documents';
import { short, value } from '../format';
import { useAction, useLive, useQuery } from '../hooks';
import type { Where } from '../session';
import { fromRollbackRequest, type PageRequest } from '../approvals';

type Preview = IncidentPreviewRollbackMutation['previewRollback'];

/** A compared field names its file from the tenant-environment's directory; a selection names it within the service (values.yaml, bindings.yaml, variables.yaml). */
const selectedFile = (file: string) => file.split('/').pop()!;

export function RollbackWizard({ where, target, onClose, onSubmitted }: { where: Where; target: IncidentDeploymentRowFragment; onClose(): void; onSubmitted(request: PageRequest): void }) {
  const { api } = useLive();
  const key = [where.project, where.tenant, where.environment, target.revision];
  const modes = useQuery((a) => a.request(RollbackModesDocument, where), key);
  const compare = useQuery((a) => a.request(CompareDocument, { ...where, revision: target.revision }), key);
  const [mode, setMode] = useState<RollbackMode | null>(null);
  const [service, setService] = useState<string>('');
  const [fields, setFields] = useState<string[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [justification, setJustification] = useState('');
  const previewing = useAction();
  const submitting = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [target.revision]);
  // Any change of scope invalidates the preview: what is submitted is what was previewed.
  useEffect(() => setPreview(null), [mode, service, fields.join('|')]);

  const te = modes.data?.tenantEnvironment;
  const diff = compare.data?.tenantEnvironment?.compareWithCurrent;
  const changedServices = diff?.services.map((s) => s.service) ?? [];
  const serviceFields = diff?.services.find((s) => s.service === service)?.fields ?? [];
  const fieldKey = (f: { file: string; path: string }) => `${f.file}:${f.path}`;

  const input = (): RollbackInput => ({
    ...where,
    mode: mode!,
    targetSha: target.revision,
    service: mode === 'FULL' ? null : service,
    fields:
      mode === 'FIELD'
        ? serviceFields.filter((f) => fields.includes(fieldKey(f))).map((f) => ({ file: selectedFile(f.file), path: f.path }))
        : null,
  });
  const ready = mode !== null && (mode === 'FULL' || service !== '') && (mode !== 'FIELD' || fields.length > 0);

  const runPreview = () => previewing.run(async () => setPreview((await api.request(PreviewRollbackDocument, { input: input() })).previewRollback));
  const submit = (event: Event) => {
    event.preventDefault();
    if (!preview) return;
    void submitting.run(async () => {
      const created = await api.request(RequestRollbackDocument, { input: { rollback: input(), justification, previewHash: preview.previewHash } });
      onSubmitted(fromRollbackRequest(created.requestRollback));
    });
  };

  return (
    <section class="panel wizard" aria-labelledby="wizard-title" data-testid="wizard">
      <div class="row">
        <h2 id="wizard-title" tabIndex={-1} ref={heading}>
          Roll back {where.tenant}/{where.environment} to <span class="mono">{short(target.revision)}</span>
        </h2>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      {(modes.loading || compare.loading) && !te && <p class="loading" role="status">Loading the rollback modes…</p>}
      {modes.error && <p class="error" role="alert">{modes.error}</p>}
      {te && (
        <form onSubmit={submit}>
          <fieldset>
            <legend>1. Scope</legend>
            {te.rollbackModes.map((m) => (
              <label key={m.mode} class={`choice ${m.allowed ? '' : 'disabled'}`}>
                <input type="radio" name="mode" value={m.mode} disabled={!m.allowed} checked={mode === m.mode} onChange={() => setMode(m.mode)} />
                <strong>{m.mode}</strong> <span class="muted">blast radius: {m.blastRadius}</span>
                {!m.allowed && m.reason && <span class="reason"> — unavailable: {m.reason}</span>}
              </label>
            ))}
          </fieldset>

          {mode && mode !== 'FULL' && (
            <fieldset>
              <legend>2. Service</legend>
              <label>
                Service{' '}
                <select
                  aria-label="Service to roll back"
                  value={service}
                  onChange={(e) => {
                    setService((e.target as HTMLSelectElement).value);
                    setFields([]);
                  }}
                >
                  <option value="">Choose a service…</option>
                  {te.services.map((s) => (
                    <option key={s} value={s}>
                      {s}
                      {changedServices.includes(s) ? ' (changed since)' : ''}
                    </option>
                  ))}
                </select>
              </label>
            </fieldset>
          )}

          {mode === 'FIELD' && service && (
            <fieldset>
              <legend>3. Fields that differ from the current state</legend>
              {!diff && <p class="loading" role="status">Comparing with the current state…</p>}
              {diff && serviceFields.length === 0 && <p class="muted">No field of {service} differs between this revision and the current state.</p>}
              {serviceFields.map((f) => (
                <label key={fieldKey(f)} class="choice">
                  <input
                    type="checkbox"
                    value={fieldKey(f)}
                    checked={fields.includes(fieldKey(f))}
                    onChange={(e) => {
                      const on = (e.target as HTMLInputElement).checked;
                      setFields((current) => (on ? [...current, fieldKey(f)] : current.filter((k) => k !== fieldKey(f))));
                    }}
                  />
                  <span class="mono">{f.path}</span> <span class="muted">({f.file})</span> <span class="mono add">{value(f.before)}</span> ←{' '}
                  <span class="mono del">{value(f.after)}</span>
                </label>
              ))}
            </fieldset>
          )}

          <div class="row">
            <button type="button" disabled={!ready || previewing.busy} onClick={() => void runPreview()}>
              {previewing.busy ? 'Previewing…' : 'Preview'}
            </button>
          </div>
          {previewing.error && <p class="error" role="alert">{previewing.error}</p>}
          {preview && <PreviewView preview={preview} />}

          {preview && (
            <fieldset>
              <legend>Submit</legend>
              <label class="block">
                Justification (required)
                <textarea required minLength={1} rows={3} value={justification} onInput={(e) => setJustification((e.target as HTMLTextAreaElement).value)} />
              </label>
              <button type="submit" class="primary" disabled={submitting.busy || justification.trim() === ''}>
                {submitting.busy ? 'Submitting…' : 'Submit rollback request'}
              </button>
              {submitting.error && <p class="error" role="alert">{submitting.error}</p>}
            </fieldset>
          )}
        </form>
      )}
    </section>
  );
}

function PreviewView({ preview }: { preview: Preview }) {
  const fieldRows = [...preview.environmentFields.map((f) => ({ ...f, service: '(environment)' })), ...preview.services.flatMap((s) => s.fields.map((f) => ({ ...f, service: s.service })))];
  return (
    <div class="preview" data-testid="preview" role="region" aria-label="Preview">
      <h3>Preview</h3>
      <p data-testid="impact">
        Impact: {preview.impact.services} service(s), {preview.impact.files} file(s), {preview.impact.bindings} binding(s), {preview.impact.variables} variable(s).
        {preview.affectedServices.length > 0 && <> Affected: {preview.affectedServices.join(', ')}.</>}
      </p>
      {preview.suggestion && (
        <p class="notice" role="note">
          Suggestion: {preview.suggestion}
        </p>
      )}
      {preview.warnings.map((w) => (
        <p key={`${w.file}:${w.path}`} class="notice warn" role="note">
          <span class="mono">{w.path}</span> in {w.file} was changed again later ({w.laterRevisions.map(short).join(', ')}): rolling back undoes those changes too.
        </p>
      ))}
      <table class="compact" aria-label="Fields the rollback changes">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Field</th>
            <th scope="col">Current</th>
            <th scope="col">After rollback</th>
            <th scope="col">Live</th>
          </tr>
        </thead>
        <tbody>
          {fieldRows.map((f) => (
            <tr key={`${f.service}:${f.file}:${f.path}`}>
              <td>{f.service}</td>
              <td class="mono">
                {f.path} <span class="muted">({f.file})</span>
              </td>
              <td class="mono del">{value(f.currentValue)}</td>
              <td class="mono add">{value(f.targetValue)}</td>
              <td class="mono">{value(f.liveValue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
