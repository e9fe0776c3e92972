/** How often the rebuild looks at its consumer group. */
export const POLL_MS = 500;

export { pause } from '../../pause.js';
