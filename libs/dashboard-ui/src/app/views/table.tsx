import type { ComponentChildren } from 'preact';

/**
 * A view's data table (docs/dashboard.md): in a focusable region that scrolls sideways,
 * class `data <name>` and test id `<name>-table`, a caption for screen readers only.
 */
export function DataTable(props: {
  readonly name: string;
  readonly label: string;
  readonly caption: ComponentChildren;
  readonly head: ComponentChildren;
  readonly children: ComponentChildren;
}) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={props.label}>
      <table class={`data ${props.name}`} data-testid={`${props.name}-table`}>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>{props.head}</tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** A header of a numeric column (right-aligned), not sortable. */
export function NumHeader(props: { readonly children: ComponentChildren }) {
  return (
    <th scope="col" class="num">
      {props.children}
    </th>
  );
}

/**
 * A numeric cell: `field` names the figure (for tests and styles), `label` is the column's
 * name shown beside it where the table stacks on a narrow screen.
 */
export function NumCell(props: {
  readonly field: string;
  readonly label?: string;
  readonly strong?: boolean;
  readonly children: ComponentChildren;
}) {
  return (
    <td
      class={props.strong === true ? 'num strong' : 'num'}
      data-label={props.label}
      data-field={props.field}
    >
      {props.children}
    </td>
  );
}
