/**
 * Formatting for the dashboard: pure functions, tested without a browser. Times are shown
 * in the contact center's zone (TIMEZONE, from the stream's hello), whatever the
 * browser's own zone.
 */

/** 0:42, 12:05, 1:02:03: a duration as a clock face, rounded down to the second. */
export function clockDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${ss}`;
  return `${m}:${ss}`;
}

/** 45 s, 3 min, 2 h 05 min, 3 d 4 h: a coarse duration for "how long ago". */
export function roughDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Milliseconds as seconds with one decimal when short: 850 ms → "0.9 s", 276624 → "4:37". */
export function handlingTime(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms === 0) return '0 s';
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return clockDuration(ms);
}

/** Latency in ms: "12 ms", "1.4 s". */
export function latency(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', ...options });
    formatters.set(key, f);
  }
  return f;
}

/** 14:05 or 14:05:09 in the zone. */
export function timeOfDay(ms: number, timeZone: string, seconds = false): string {
  return formatter(timeZone, {
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  }).format(ms);
}

/** "Mon 2 Mar, 14:05" in the zone. */
export function dateTime(ms: number, timeZone: string): string {
  return formatter(timeZone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(ms);
}

/** Whole numbers with thin grouping: 12 345. */
export function count(n: number | undefined): string {
  if (n === undefined) return '–';
  return Math.round(n).toLocaleString('en-GB');
}

/** 86.4 % */
export function percent(p: number | undefined, digits = 1): string {
  if (p === undefined) return '–';
  return `${p.toFixed(digits)} %`;
}

/** Human words for the state categories. */
export const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  AVAILABLE: 'Available',
  BUSY: 'Busy',
  AFTER_CONTACT_WORK: 'After-contact work',
  NOT_READY: 'Not ready',
};

/** "Break / Coffee break" → ["Break", "Coffee break"]: the state and its reason. */
export function stateAndReason(stateName: string): { state: string; reason?: string } {
  const cut = stateName.indexOf(' / ');
  if (cut < 0) return { state: stateName };
  return { state: stateName.slice(0, cut), reason: stateName.slice(cut + 3) };
}
