import type { SortDirection, SortState } from '../model.js';

/** A sortable column header: a button, with aria-sort on the header cell. */
export function SortHeader<K extends string>(props: {
  readonly label: string;
  readonly column: K;
  readonly sort: SortState<K>;
  readonly natural: SortDirection;
  readonly onSort: (column: K, natural: SortDirection) => void;
  readonly numeric?: boolean;
  readonly title?: string;
}) {
  const active = props.sort.key === props.column;
  return (
    <th
      scope="col"
      class={props.numeric === true ? 'num' : undefined}
      aria-sort={active ? props.sort.direction : 'none'}
    >
      <button
        type="button"
        class="sort"
        title={props.title}
        onClick={() => {
          props.onSort(props.column, props.natural);
        }}
      >
        {props.label}
        <span class="sort-mark" aria-hidden="true">
          {active ? (props.sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}
