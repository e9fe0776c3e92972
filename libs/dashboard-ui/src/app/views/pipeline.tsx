import type { Quantiles } from '../../protocol.js';
import { count, dateTime, latency, roughDuration } from '../format.js';
import type { DashboardState, Store } from '../store.js';

function QuantileCard(props: {
  readonly title: string;
  readonly q?: Quantiles | undefined;
  readonly note: string;
  readonly testid: string;
}) {
  return (
    <div class="card" data-testid={props.testid}>
      <h3>{props.title}</h3>
      <p class="figure">
        <span data-field="p50">{latency(props.q?.p50Ms)}</span>
        <span class="unit">p50</span>
        <span class="sep" aria-hidden="true">
          ·
        </span>
        <span data-field="p99">{latency(props.q?.p99Ms)}</span>
        <span class="unit">p99</span>
      </p>
      <p class="sub">
        {props.note}
        {props.q === undefined ? '' : ` · ${count(props.q.count)} in the last minute`}
      </p>
    </div>
  );
}

export function Pipeline(props: { readonly store: Store; readonly state: DashboardState }) {
  const { state, store } = props;
  const p = state.pipeline;
  const now = store.serverNow();
  if (p === undefined)
    return (
      <section aria-labelledby="pipeline-title" class="view">
        <h2 id="pipeline-title">Pipeline</h2>
        <p class="empty">Waiting for the services' first status reports…</p>
      </section>
    );
  const notReady = p.services.filter((s) => !s.ready).length;
  return (
    <section aria-labelledby="pipeline-title" class="view">
      <div class="view-head">
        <h2 id="pipeline-title">Pipeline</h2>
        <p class="muted">
          {p.services.length} instances reporting ·{' '}
          <span class={notReady > 0 ? 'bad' : 'good'}>
            {notReady > 0 ? `${notReady} not ready` : 'all ready'}
          </span>
        </p>
      </div>
      <div class="cards">
        <div class="card" data-testid="events-in">
          <h3>Events in</h3>
          <p class="figure">
            <span data-field="eventsPerSecond">{p.eventsPerSecond.toLocaleString('en-GB')}</span>
            <span class="unit">/ s</span>
          </p>
          <p class="sub">valid events into the aggregators</p>
        </div>
        <QuantileCard
          title="Online freshness"
          q={p.onlineFreshness}
          note="event appended → figures in Redis"
          testid="freshness"
        />
        <QuantileCard
          title="Status push latency"
          q={p.statusPush}
          note="event appended → WFM answered"
          testid="push-latency"
        />
        <div class="card" data-testid="dead-letters">
          <h3>Dead letters</h3>
          <p class="figure">
            <span data-field="deadLetters" class={p.deadLetters.total > 0 ? 'bad' : undefined}>
              {count(p.deadLetters.total)}
            </span>
            <span class="unit">rejected, ever</span>
          </p>
          <p class="sub">
            {p.streamClients} live-stream client{p.streamClients === 1 ? '' : 's'}
          </p>
        </div>
      </div>

      <div class="split">
        <div>
          <h3>Consumer lag</h3>
          <table class="data compact" data-testid="consumers-table">
            <caption class="visually-hidden">Consumer lag per consumer group.</caption>
            <thead>
              <tr>
                <th scope="col">Consumer group</th>
                <th scope="col" class="num">
                  Lag
                </th>
                <th scope="col" class="num">
                  Events / s
                </th>
                <th scope="col" class="num">
                  Instances
                </th>
              </tr>
            </thead>
            <tbody>
              {p.consumers.map((c) => (
                <tr key={c.group} data-group={c.group}>
                  <th scope="row">{c.group}</th>
                  <td class="num" data-field="lag">
                    {count(c.lag)}
                  </td>
                  <td class="num" data-field="eventsPerSecond">
                    {c.eventsPerSecond.toLocaleString('en-GB')}
                  </td>
                  <td class="num">{c.instances}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h3>Latest dead letters</h3>
          {p.deadLetters.recent.length === 0 ? (
            <p class="empty small">None.</p>
          ) : (
            <ul class="events" data-testid="dead-letter-list">
              {p.deadLetters.recent.map((r, i) => (
                <li key={`${r.at}-${i}`}>
                  <span class="when">{dateTime(Date.parse(r.at), state.timeZone)}</span>
                  <span class="kind">{r.kind}</span>{' '}
                  <span class="sub">
                    {r.group} · {r.topic}
                  </span>
                  <span class="reason-text">{r.reason}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>

      <h3>Services</h3>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Service instances">
        <table class="data compact" data-testid="services-table">
          <caption class="visually-hidden">Every service instance reporting its status.</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Health</th>
              <th scope="col">Up</th>
              <th scope="col">Last report</th>
            </tr>
          </thead>
          <tbody>
            {p.services.map((s) => (
              <tr key={s.instance} data-service={s.service}>
                <th scope="row">
                  <span class="name">{s.service}</span>
                  <span class="sub">{s.instance.slice(s.service.length + 1)}</span>
                </th>
                <td data-field="health">
                  <span class={s.ready ? 'good' : 'bad'}>
                    {s.ready ? 'Ready' : s.live ? 'Not ready' : 'Failed'}
                  </span>
                  {s.problems.length > 0 && <span class="sub">{s.problems.join('; ')}</span>}
                </td>
                <td>{roughDuration(now - Date.parse(s.startedAt))}</td>
                <td>{roughDuration(now - Date.parse(s.reportedAt))} ago</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
