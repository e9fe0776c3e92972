import type { ComponentChildren } from 'preact';

/** A labelled drop-down of the filters; `onPick` gets the chosen option's value. */
export function SelectField(props: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onPick: (value: string) => void;
  readonly children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => {
          props.onPick(e.currentTarget.value);
        }}
      >
        {props.children}
      </select>
    </div>
  );
}
