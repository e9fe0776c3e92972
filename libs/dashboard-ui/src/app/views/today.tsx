import { useMemo, useState } from 'preact/hooks';

import { TODAY_STEPS } from '../../protocol.js';
import { count, handlingTime, timeOfDay } from '../format.js';
import { seriesOf } from '../model.js';
import type { DashboardState, Store } from '../store.js';
import { IntervalChart } from './chart.js';
import { SelectField } from './select-field.js';
import { DataTable, NumCell, NumHeader } from './table.js';

export function Today(props: {
  readonly store: Store;
  readonly state: DashboardState;
  readonly onStep: (step: number) => void;
}) {
  const { state, store } = props;
  const groups = useMemo(
    () => [...state.queues.values()].sort((a, b) => a.name.localeCompare(b.name)),
    [state.queues],
  );
  const [picked, setPicked] = useState<string>('');
  const groupId = picked !== '' ? picked : (groups[0]?.groupId ?? '');
  const rows = useMemo(
    () =>
      [...state.today.values()]
        .filter((r) => r.groupId === groupId)
        .sort((a, b) => Date.parse(a.startInterval) - Date.parse(b.startInterval)),
    [state.today, groupId],
  );
  const now = store.serverNow();
  const currentStart =
    state.todayStart === undefined
      ? now
      : state.todayStart + Math.floor((now - state.todayStart) / state.todayStep) * state.todayStep;
  const gridStart =
    state.todayStart ?? Math.min(currentStart, ...rows.map((r) => Date.parse(r.startInterval)));
  // recomputed when the rows, the grid or the current interval change
  const series = useMemo(
    () => seriesOf(rows, gridStart, state.todayStep, currentStart),
    [rows, gridStart, state.todayStep, currentStart],
  );
  const totals = rows.reduce(
    (t, r) => ({
      received: t.received + r.notUniqueReceived,
      treated: t.treated + r.notUniqueTreated,
      missed: t.missed + r.notUniqueMissed,
    }),
    { received: 0, treated: 0, missed: 0 },
  );
  const groupName = groups.find((g) => g.groupId === groupId)?.name ?? groupId;
  return (
    <section aria-labelledby="today-title" class="view">
      <div class="view-head">
        <h2 id="today-title">Today</h2>
        <p class="muted">
          {state.todayDay} in {state.timeZone}, by offer time; the current interval fills in live.
        </p>
      </div>
      <div class="filters">
        <SelectField id="today-group" label="Group" value={groupId} onPick={setPicked}>
          {groups.map((g) => (
            <option key={g.groupId} value={g.groupId}>
              {g.name}
            </option>
          ))}
        </SelectField>
        <fieldset class="segmented">
          <legend>Interval</legend>
          {TODAY_STEPS.map((step) => (
            <label key={step} class={state.todayStep === step ? 'on' : undefined}>
              <input
                type="radio"
                name="today-step"
                value={step}
                checked={state.todayStep === step}
                onChange={() => {
                  props.onStep(step);
                }}
              />
              {step / 60_000} min
            </label>
          ))}
        </fieldset>
        <dl class="kpis inline">
          <div>
            <dt>Received</dt>
            <dd>{count(totals.received)}</dd>
          </div>
          <div>
            <dt>Treated</dt>
            <dd>{count(totals.treated)}</dd>
          </div>
          <div>
            <dt>Missed</dt>
            <dd>{count(totals.missed)}</dd>
          </div>
        </dl>
      </div>
      <IntervalChart
        series={series}
        stepMs={state.todayStep}
        timeZone={state.timeZone}
        label={`${groupName}: contacts received, treated and missed, and average handling time, per ${state.todayStep / 60_000}-minute interval today. The table below has the figures.`}
      />
      {rows.length === 0 ? (
        <p class="empty">No contact offered to this group today yet.</p>
      ) : (
        <DataTable
          name="today"
          label="Intervals of today"
          caption={`${groupName}, per interval today (times in ${state.timeZone}).`}
          head={
            <>
              <th scope="col">Interval</th>
              <NumHeader>Received</NumHeader>
              <NumHeader>Treated</NumHeader>
              <NumHeader>Missed</NumHeader>
              <NumHeader>Unique</NumHeader>
              <NumHeader>AHT</NumHeader>
              <NumHeader>Wrap-up</NumHeader>
            </>
          }
        >
          {[...rows].reverse().map((r) => {
            const start = Date.parse(r.startInterval);
            const end = Date.parse(r.endInterval);
            const current = start <= now && now < end;
            const treated = (ms: number | undefined): string =>
              r.notUniqueTreated > 0 ? handlingTime(ms) : '–';
            return (
              <tr
                key={r.startInterval}
                class={current ? 'current' : undefined}
                data-start={r.startInterval}
              >
                <th scope="row">
                  {timeOfDay(start, state.timeZone)}–{timeOfDay(end, state.timeZone)}
                  {current && <span class="badge">in progress</span>}
                </th>
                <NumCell field="notUniqueReceived">{count(r.notUniqueReceived)}</NumCell>
                <NumCell field="notUniqueTreated">{count(r.notUniqueTreated)}</NumCell>
                <NumCell field="notUniqueMissed">{count(r.notUniqueMissed)}</NumCell>
                <NumCell field="receivedCalls">{count(r.receivedCalls)}</NumCell>
                <NumCell field="aht">{treated(r.aht)}</NumCell>
                <NumCell field="postProcessing">{treated(r.postProcessing)}</NumCell>
              </tr>
            );
          })}
        </DataTable>
      )}
    </section>
  );
}
