/**
 * What the emitter sends the WFM for an agent event (ARGUS WFM CC API §4.1; docs/api.md,
 * "Status pushes to the WFM"): the exit (`action` 0) from the state the agent was in,
 * then the entry (`action` 1) into the new one. Pure: the caller supplies the agent's
 * status as last pushed.
 */

/** An agent's status after its latest pushed event. */
export interface AgentStatus {
  readonly loggedIn: boolean;
  /** As reported: with a reason, `stateCode:reasonCode`. Empty when logged out. */
  readonly code: string;
  readonly name: string;
}

/** The body of one POST to the WFM's status URL. */
export interface StatusPush {
  readonly workerId: string;
  readonly stateName: string;
  readonly stateCode: string;
  readonly systemId: string;
  /** Unix seconds of the event's occurredAt. */
  readonly actionTime: number;
  readonly action: 0 | 1;
}

/** A status-bearing agent event, reduced to what the push needs. */
export type StatusChange =
  | { readonly kind: 'login'; readonly code: string; readonly name: string }
  | { readonly kind: 'state'; readonly code: string; readonly name: string }
  | { readonly kind: 'logout' };

export const LOGGED_OUT: AgentStatus = { loggedIn: false, code: '', name: '' };

export function statusAfter(change: StatusChange): AgentStatus {
  return change.kind === 'logout'
    ? LOGGED_OUT
    : { loggedIn: true, code: change.code, name: change.name };
}

/**
 * The pushes for one change, given the status pushed before it (undefined when the
 * emitter has never seen the agent: there is no state to exit then).
 *  - login: entry into its initial state (after an exit, if a session was still open);
 *  - state change: exit from the previous state when logged in, then entry;
 *  - logout: exit from the last state, nothing when not logged in.
 */
export function statusPushes(
  agentId: string,
  previous: AgentStatus | undefined,
  change: StatusChange,
  occurredAtMs: number,
  systemId: string,
): StatusPush[] {
  const actionTime = Math.floor(occurredAtMs / 1000);
  const push = (status: AgentStatus, action: 0 | 1): StatusPush => ({
    workerId: agentId,
    stateName: status.name,
    stateCode: status.code,
    systemId,
    actionTime,
    action,
  });
  const pushes: StatusPush[] = [];
  if (previous?.loggedIn === true) pushes.push(push(previous, 0));
  const next = statusAfter(change);
  if (next.loggedIn) pushes.push(push(next, 1));
  return pushes;
}

const SEP = '\u001f';

export function serializeStatus(status: AgentStatus): string {
  return `${status.loggedIn ? '1' : '0'}${SEP}${status.code}${SEP}${status.name}`;
}

export function parseStatus(text: string): AgentStatus | undefined {
  const [flag, code = '', name = ''] = text.split(SEP);
  if (flag !== '0' && flag !== '1') return undefined;
  return { loggedIn: flag === '1', code, name };
}
