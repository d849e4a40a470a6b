/** A revision compared with the current state: per service and per field side by side, and each file's unified diff coloured. */
import type { IncidentCompareQuery } from '../../gql/graphql';
import { short, value } from '../format';

type Diff = NonNullable<IncidentCompareQuery['tenantEnvironment']>['compareWithCurrent'];
type Field = Diff['environmentFields'][number];

function FieldTable({ fields, caption }: { fields: Field[]; caption: string }) {
  return (
    <table class="compact diff-fields" aria-label={caption}>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Field</th>
          <th scope="col">At the revision</th>
          <th scope="col">Current</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => (
          <tr key={`${f.file}:${f.path}`}>
            <td class="mono">{f.file}</td>
            <td class="mono">{f.path}</td>
            <td class="mono del">{value(f.before)}</td>
            <td class="mono add">{value(f.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function UnifiedDiff({ text }: { text: string }) {
  return (
    <pre class="unified">
      {text.split('\n').map((line, i) => (
        <span key={i} class={line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : ''}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

export function CompareView({ diff, revision }: { diff: Diff; revision: string }) {
  const nothing = diff.services.length === 0 && diff.environmentFields.length === 0 && diff.files.length === 0;
  return (
    <div class="compare" data-testid="compare">
      <p>
        Revision <span class="mono">{short(revision)}</span> compared with the current state <span class="mono">{short(diff.head)}</span>:{' '}
        {diff.counts.services} service(s), {diff.counts.files} file(s), {diff.counts.bindings} binding(s), {diff.counts.variables} variable(s) differ.
      </p>
      {nothing && <p class="muted">Nothing differs: this revision is what runs now.</p>}
      {diff.environmentFields.length > 0 && (
        <section>
          <h4>Environment</h4>
          <FieldTable fields={diff.environmentFields} caption="Environment fields" />
        </section>
      )}
      {diff.services.map((s) => (
        <section key={s.service} class="service-diff">
          <h4>
            {s.service} <span class="muted">({s.kind.toLowerCase()})</span>
          </h4>
          {s.fields.length > 0 && <FieldTable fields={s.fields} caption={`Fields of ${s.service}`} />}
          {s.files.map((file) => (
            <details key={file.path}>
              <summary>
                <span class="mono">{file.path}</span> <span class="add">+{file.linesAdded}</span> <span class="del">−{file.linesRemoved}</span>
              </summary>
              <UnifiedDiff text={file.unifiedDiff} />
            </details>
          ))}
        </section>
      ))}
    </div>
  );
}
