import { useMemo, useState } from 'preact/hooks';

import type { QueueRow } from '../../protocol.js';
import { clockDuration, count, handlingTime, percent } from '../format.js';
import { useServerNow } from '../hooks.js';
import { nextSort, type SortDirection, sortRows, type SortState } from '../model.js';
import type { DashboardState, Store } from '../store.js';
import { SortHeader } from './sort-header.js';
import { DataTable, NumCell, NumHeader } from './table.js';

type Column =
  'name' | 'waiting' | 'longest' | 'available' | 'busy' | 'received' | 'sl' | 'aht' | 'awt';

const waitMs = (row: QueueRow, now: number): number | undefined =>
  row.oldestWaitingSince === undefined ? undefined : now - Date.parse(row.oldestWaitingSince);

function slClass(row: QueueRow): string {
  const { percent: p, goalPercent } = row.serviceLevel;
  if (p === undefined) return 'sl';
  return p >= goalPercent ? 'sl good' : 'sl bad';
}

export function Queues(props: { readonly store: Store; readonly state: DashboardState }) {
  const now = useServerNow(props.store);
  const [sort, setSort] = useState<SortState<Column>>({ key: 'waiting', direction: 'descending' });
  const rows = useMemo(() => [...props.state.queues.values()], [props.state.queues]);
  const value = (row: QueueRow): number | string | undefined => {
    switch (sort.key) {
      case 'name':
        return row.name;
      case 'waiting':
        return row.load.callNumber;
      case 'longest':
        return waitMs(row, now) ?? -1;
      case 'available':
        return row.agents.available;
      case 'busy':
        return row.agents.busy + row.agents.afterContactWork;
      case 'received':
        return row.load.callReceived;
      case 'sl':
        return row.serviceLevel.percent === undefined
          ? undefined
          : row.serviceLevel.percent - row.serviceLevel.goalPercent;
      case 'aht':
        return row.load.aht;
      case 'awt':
        return row.load.awt;
    }
  };
  const sorted = sortRows(rows, value, sort.direction, (r) => r.name + r.groupId);
  const onSort = (column: Column, natural: SortDirection): void => {
    setSort(nextSort(sort, column, natural));
  };
  const totals = rows.reduce(
    (t, r) => ({
      waiting: t.waiting + r.load.callNumber,
      available: t.available + r.agents.available,
      answered: t.answered + r.load.callAnswered,
      withinTarget: t.withinTarget + r.load.callAnsweredTst,
      longest: Math.max(t.longest, waitMs(r, now) ?? 0),
    }),
    { waiting: 0, available: 0, answered: 0, withinTarget: 0, longest: 0 },
  );
  const header = { sort, onSort };
  return (
    <section aria-labelledby="queues-title" class="view">
      <div class="view-head">
        <h2 id="queues-title">Queues now</h2>
        <p class="muted">Per group, live. Service level since local midnight.</p>
      </div>
      <dl class="kpis">
        <div>
          <dt>Waiting</dt>
          <dd data-testid="total-waiting">{count(totals.waiting)}</dd>
        </div>
        <div>
          <dt>Longest wait</dt>
          <dd>{totals.waiting > 0 ? clockDuration(totals.longest) : '–'}</dd>
        </div>
        <div>
          <dt>Agents available</dt>
          <dd>{count(totals.available)}</dd>
        </div>
        <div>
          <dt>Service level, all groups</dt>
          <dd>
            {totals.answered === 0 ? '–' : percent((totals.withinTarget / totals.answered) * 100)}
          </dd>
        </div>
      </dl>
      {rows.length === 0 ? (
        <p class="empty">No group in the directory yet.</p>
      ) : (
        <DataTable
          name="queues"
          label="Queues"
          caption="Queues now, one row per group; column headers sort."
          head={
            <>
              <SortHeader label="Group" column="name" natural="ascending" {...header} />
              <SortHeader
                label="Waiting"
                column="waiting"
                natural="descending"
                numeric
                {...header}
              />
              <SortHeader
                label="Longest wait"
                column="longest"
                natural="descending"
                numeric
                {...header}
              />
              <SortHeader
                label="Available"
                column="available"
                natural="ascending"
                numeric
                {...header}
              />
              <SortHeader
                label="Busy · ACW"
                column="busy"
                natural="descending"
                numeric
                title="Busy, and in after-contact work"
                {...header}
              />
              <NumHeader>Not ready</NumHeader>
              <SortHeader
                label="Received"
                column="received"
                natural="descending"
                numeric
                {...header}
              />
              <SortHeader
                label="Service level"
                column="sl"
                natural="ascending"
                numeric
                title="Answered within the target ÷ answered, since local midnight"
                {...header}
              />
              <SortHeader label="AHT" column="aht" natural="descending" numeric {...header} />
              <SortHeader
                label="ASA"
                column="awt"
                natural="descending"
                numeric
                title="Average wait"
                {...header}
              />
            </>
          }
        >
          {sorted.map((row) => {
            const wait = waitMs(row, now);
            const sl = row.serviceLevel;
            return (
              <tr key={row.groupId} data-group={row.groupId}>
                <th scope="row" data-label="Group">
                  <span class="name">{row.name}</span>
                  <span class="sub">
                    {row.serviceName} · {row.groupId}
                  </span>
                </th>
                <NumCell field="callNumber" label="Waiting" strong>
                  {count(row.load.callNumber)}
                </NumCell>
                <NumCell field="longestWait" label="Longest wait">
                  {wait === undefined ? '–' : clockDuration(wait)}
                </NumCell>
                <NumCell field="available" label="Available">
                  {count(row.agents.available)}
                </NumCell>
                <NumCell field="busy" label="Busy · ACW">
                  {count(row.agents.busy)} · {count(row.agents.afterContactWork)}
                </NumCell>
                <NumCell field="notReady" label="Not ready">
                  {count(row.agents.notReady)}
                </NumCell>
                <NumCell field="callReceived" label="Received">
                  {count(row.load.callReceived)}
                </NumCell>
                <NumCell field="serviceLevel" label="Service level">
                  <span class={slClass(row)}>{percent(sl.percent)}</span>
                  <span class="sub">
                    goal {sl.goalPercent}% in {sl.targetSeconds}s
                    {sl.percent !== undefined && (
                      <span class="visually-hidden">
                        {sl.percent >= sl.goalPercent ? ', met' : ', below goal'}
                      </span>
                    )}
                  </span>
                </NumCell>
                <NumCell field="aht" label="AHT">
                  {handlingTime(row.load.aht)}
                </NumCell>
                <NumCell field="awt" label="ASA">
                  {handlingTime(row.load.awt)}
                </NumCell>
              </tr>
            );
          })}
        </DataTable>
      )}
    </section>
  );
}
