import { Component } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import type { AgentRow } from '../../protocol.js';
import { CATEGORY_LABELS, clockDuration, count, stateAndReason, timeOfDay } from '../format.js';
import { matchesSearch, nextSort, type SortDirection, sortRows, type SortState } from '../model.js';
import type { DashboardState, Store } from '../store.js';
import { SelectField } from './select-field.js';
import { SortHeader } from './sort-header.js';

type Column = 'name' | 'state' | 'since';
const CATEGORIES = ['AVAILABLE', 'BUSY', 'AFTER_CONTACT_WORK', 'NOT_READY'] as const;

/**
 * Durations that count up, for many rows: one timer sets the text of every
 * `[data-since]` element of the container, without re-rendering the table.
 */
function useTickingDurations(store: Store, container: { current: HTMLElement | null }): void {
  useEffect(() => {
    const tick = (): void => {
      const now = store.serverNow();
      for (const el of container.current?.querySelectorAll<HTMLElement>('[data-since]') ?? []) {
        const text = clockDuration(now - Number(el.dataset.since));
        if (el.textContent !== text) el.textContent = text;
      }
    };
    tick();
    const timer = window.setInterval(tick, 1000);
    return () => {
      window.clearInterval(timer);
    };
  }, [store, container]);
}

interface AgentLineProps {
  readonly row: AgentRow;
  readonly groupNames: ReadonlyMap<string, string>;
  readonly timeZone: string;
  readonly now: number;
}

/**
 * One agent's row. It renders again only when its row changed (a delta replaces only
 * the rows that changed), so a change of a few agents does not diff 500 rows; the
 * duration ticks without rendering (useTickingDurations).
 */
class AgentLine extends Component<AgentLineProps> {
  override shouldComponentUpdate(next: AgentLineProps): boolean {
    const p = this.props;
    return next.row !== p.row || next.groupNames !== p.groupNames || next.timeZone !== p.timeZone;
  }

  override render() {
    const { row: a, groupNames, timeZone, now } = this.props;
    const { state: stateLabel, reason } = stateAndReason(a.stateName);
    const since = Date.parse(a.startDate);
    return (
      <tr data-agent={a.agentId}>
        <th scope="row">
          <span class="name">{a.name}</span>
          <span class="sub">{a.agentId}</span>
        </th>
        <td data-field="state" data-code={a.stateCode}>
          <span class="state">
            <span class={`dot cat-${a.category}`} aria-hidden="true" />
            {stateLabel}
          </span>
          {reason !== undefined && <span class="reason">{reason}</span>}
        </td>
        <td class="num">
          <span class="duration" data-since={since}>
            {clockDuration(now - since)}
          </span>
          <span class="sub">since {timeOfDay(since, timeZone, true)}</span>
        </td>
        <td class="groups">{a.groupIds.map((g) => groupNames.get(g) ?? g).join(', ')}</td>
      </tr>
    );
  }
}

export function Agents(props: { readonly store: Store; readonly state: DashboardState }) {
  const { state, store } = props;
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState<string>('');
  const [group, setGroup] = useState<string>('');
  const [sort, setSort] = useState<SortState<Column>>({ key: 'since', direction: 'descending' });
  const body = useRef<HTMLTableSectionElement>(null);
  useTickingDurations(store, body);

  const all = useMemo(() => [...state.agents.values()], [state.agents]);
  // the same map until a group's name changes, so the rows need not render again
  const namesKey = [...state.queues.values()]
    .map((q) => `${q.groupId}\u0000${q.name}`)
    .join('\u0001');
  const groupNames = useMemo(
    () =>
      new Map(
        namesKey === ''
          ? []
          : namesKey.split('\u0001').map((pair) => pair.split('\u0000') as [string, string]),
      ),
    [namesKey],
  );
  const groupsInUse = useMemo(() => [...new Set(all.flatMap((a) => a.groupIds))].sort(), [all]);
  const byCategory = useMemo(() => {
    const c = new Map<string, number>();
    for (const a of all) c.set(a.category, (c.get(a.category) ?? 0) + 1);
    return c;
  }, [all]);
  const shown = useMemo(() => {
    const filtered = all.filter(
      (a) =>
        (category === '' || a.category === category) &&
        (group === '' || a.groupIds.includes(group)) &&
        (query === '' || matchesSearch(query, [a.name, a.agentId, a.stateName])),
    );
    const value = (a: AgentRow): string | number =>
      sort.key === 'name' ? a.name : sort.key === 'state' ? a.stateName : -Date.parse(a.startDate);
    return sortRows(filtered, value, sort.direction, (a) => a.agentId);
  }, [all, category, group, query, sort]);
  const onSort = (column: Column, natural: SortDirection): void => {
    setSort(nextSort(sort, column, natural));
  };
  const now = store.serverNow();
  return (
    <section aria-labelledby="agents-title" class="view">
      <div class="view-head">
        <h2 id="agents-title">Agents now</h2>
        <p class="muted">
          {count(all.length)} logged in · showing {count(shown.length)}
        </p>
      </div>
      <div class="filters" role="search">
        <div class="field grow">
          <label for="agent-search">Search</label>
          <input
            id="agent-search"
            type="search"
            placeholder="Name, id or state"
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
            }}
          />
        </div>
        <SelectField id="agent-group" label="Group" value={group} onPick={setGroup}>
          <option value="">All groups</option>
          {groupsInUse.map((id) => (
            <option key={id} value={id}>
              {groupNames.get(id) ?? id}
            </option>
          ))}
        </SelectField>
        <fieldset class="chips">
          <legend>State</legend>
          {['', ...CATEGORIES].map((c) => (
            <label key={c} class={`chip${category === c ? ' on' : ''}`}>
              <input
                type="radio"
                name="agent-category"
                value={c}
                checked={category === c}
                onChange={() => {
                  setCategory(c);
                }}
              />
              {c !== '' && <span class={`dot cat-${c}`} aria-hidden="true" />}
              {c === '' ? 'All' : CATEGORY_LABELS[c]}
              <span class="chip-count">
                {count(c === '' ? all.length : (byCategory.get(c) ?? 0))}
              </span>
            </label>
          ))}
        </fieldset>
      </div>
      <div class="table-scroll tall" tabIndex={0} role="region" aria-label="Agents">
        <table class="data agents" data-testid="agents-table">
          <caption class="visually-hidden">Logged-in agents; column headers sort.</caption>
          <thead>
            <tr>
              <SortHeader
                label="Agent"
                column="name"
                natural="ascending"
                sort={sort}
                onSort={onSort}
              />
              <SortHeader
                label="State"
                column="state"
                natural="ascending"
                sort={sort}
                onSort={onSort}
              />
              <SortHeader
                label="For"
                column="since"
                natural="descending"
                numeric
                sort={sort}
                onSort={onSort}
              />
              <th scope="col">Groups</th>
            </tr>
          </thead>
          <tbody ref={body}>
            {shown.map((a) => (
              <AgentLine
                key={a.agentId}
                row={a}
                groupNames={groupNames}
                timeZone={state.timeZone}
                now={now}
              />
            ))}
          </tbody>
        </table>
        {shown.length === 0 && <p class="empty">No agent matches.</p>}
      </div>
    </section>
  );
}
