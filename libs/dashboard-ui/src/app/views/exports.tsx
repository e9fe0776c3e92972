import { count, dateTime, roughDuration } from '../format.js';
import type { DashboardState, Store } from '../store.js';

export function Exports(props: { readonly store: Store; readonly state: DashboardState }) {
  const { state, store } = props;
  const rows = [...state.exports.values()];
  const now = store.serverNow();
  return (
    <section aria-labelledby="exports-title" class="view">
      <div class="view-head">
        <h2 id="exports-title">Exports</h2>
        <p class="muted">Interval statistics delivered to each target (EXPORT_TARGETS).</p>
      </div>
      {rows.length === 0 ? (
        <p class="empty">No exporter has reported a target yet.</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Export targets">
          <table class="data exports" data-testid="exports-table">
            <caption class="visually-hidden">Export targets.</caption>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Last interval delivered</th>
                <th scope="col" class="num">
                  Queued
                </th>
                <th scope="col">Retrying</th>
                <th scope="col" class="num">
                  Parked
                </th>
                <th scope="col">Last failure</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const end =
                  r.lastDeliveredEnd === undefined ? undefined : Date.parse(r.lastDeliveredEnd);
                return (
                  <tr key={r.target} data-target={r.target}>
                    <th scope="row">
                      <span class="name">{r.target}</span>
                      <span class="sub">
                        {r.instances === 0
                          ? 'no exporter reporting'
                          : `${r.instances} exporter${r.instances > 1 ? 's' : ''}`}
                      </span>
                    </th>
                    <td data-field="lastDeliveredEnd">
                      {end === undefined ? (
                        '–'
                      ) : (
                        <>
                          ending {dateTime(end, state.timeZone)}
                          <span class="sub">{roughDuration(now - end)} ago</span>
                        </>
                      )}
                    </td>
                    <td class="num" data-field="queued">
                      {count(r.queued)}
                    </td>
                    <td data-field="retrying">
                      {r.retrying === undefined ? (
                        '–'
                      ) : (
                        <>
                          <span class="warn">attempt {r.retrying.attempt}</span>
                          <span class="sub">{r.retrying.reason}</span>
                        </>
                      )}
                    </td>
                    <td class="num" data-field="parked">
                      <span class={r.parked > 0 ? 'bad' : undefined}>{count(r.parked)}</span>
                    </td>
                    <td data-field="lastFailure">
                      {r.lastFailure === undefined ? (
                        '–'
                      ) : (
                        <>
                          {dateTime(Date.parse(r.lastFailure.at), state.timeZone)}
                          {r.lastFailure.parked ? ' · parked' : ''}
                          <span class="sub reason-text">{r.lastFailure.reason}</span>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p class="fine">
        Parked jobs are on the export dead-letter topic: <code>wfm-stream exports parked</code>{' '}
        lists them, <code>redrive</code> sends them again.
      </p>
    </section>
  );
}
