/** @wfm-stream/replay: a real call center's month of calls as a contact-center event stream. */

export { idleStates, MIN_READY_MS, SESSION_MARGIN_MS } from './agent-states.js';
export { BUNDLED_CALL_LOG, loadBundledCallLog } from './bundled.js';
export {
  CALL_OUTCOMES,
  CALL_TYPES,
  CallLogError,
  type CallOutcome,
  type CallRecord,
  type CallType,
  NO_SERVER,
  parseCallLog,
} from './call-log.js';
export { GROUP_NAMES, SERVICE_ID, SERVICE_NAME } from './directory.js';
export { CALL_LOG_ZONE } from './local-time.js';
export {
  planEndMs,
  planReplay,
  type ReplayOptions,
  type ReplayPlan,
  type ReplayStats,
} from './plan.js';
