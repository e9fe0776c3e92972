import { DAY_MS, MINUTE_MS } from './instant.js';

const BUCKET_MS = 15 * MINUTE_MS;
const CACHE_LIMIT = 200_000;

/**
 * The contact center's own time zone (an IANA name): it defines "the day" for contact
 * uniqueness, for the online "since start of day" figures and for export intervals,
 * daylight-saving days included.
 *
 * Offsets come from the runtime's time-zone database (Intl) and are cached per
 * 15-minute UTC bucket; a bucket holding a transition is never cached, so answers are
 * exact even for zones that change offset off the quarter hour.
 */
export class TimeZone {
  readonly name: string;
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  private readonly dayStarts = new Map<number, number>();

  private constructor(name: string) {
    this.name = name;
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  }

  /** The zone, or undefined when the runtime does not know the name. */
  static of(name: string): TimeZone | undefined {
    if (name.trim() === '') return undefined;
    try {
      return new TimeZone(name);
    } catch {
      return undefined;
    }
  }

  static readonly UTC = new TimeZone('UTC');

  /** Offset from UTC, in minutes, in force at the instant. */
  offsetMinutesAt(ms: number): number {
    const bucket = Math.floor(ms / BUCKET_MS);
    const cached = this.offsets.get(bucket);
    if (cached !== undefined) return cached;
    const offset = this.computeOffset(ms);
    const start = bucket * BUCKET_MS;
    if (this.computeOffset(start) === this.computeOffset(start + BUCKET_MS - 1)) {
      if (this.offsets.size >= CACHE_LIMIT) this.offsets.clear();
      this.offsets.set(bucket, offset);
    }
    return offset;
  }

  /** Days since 1970-01-01 of the local calendar date at the instant. */
  dayNumberAt(ms: number): number {
    return Math.floor((ms + this.offsetMinutesAt(ms) * MINUTE_MS) / DAY_MS);
  }

  /**
   * The first instant of a local calendar day: 00:00 local, or the first instant that
   * exists when a transition skips midnight.
   */
  startOfDay(dayNumber: number): number {
    const cached = this.dayStarts.get(dayNumber);
    if (cached !== undefined) return cached;
    let low = dayNumber * DAY_MS - 2 * DAY_MS;
    let high = dayNumber * DAY_MS + 2 * DAY_MS;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (this.dayNumberAt(mid) >= dayNumber) high = mid;
      else low = mid + 1;
    }
    if (this.dayStarts.size >= CACHE_LIMIT) this.dayStarts.clear();
    this.dayStarts.set(dayNumber, low);
    return low;
  }

  private computeOffset(ms: number): number {
    const parts = this.format.formatToParts(new Date(ms));
    const wall = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
    let bc = false;
    for (const { type, value } of parts) {
      if (type === 'era') bc = value.startsWith('B');
      else if (type in wall) wall[type as keyof typeof wall] = Number(value);
    }
    const date = new Date(0);
    date.setUTCFullYear(bc ? 1 - wall.year : wall.year, wall.month - 1, wall.day);
    date.setUTCHours(wall.hour, wall.minute, wall.second, 0);
    const wallMs = date.getTime();
    const truncated = ms - (((ms % 1000) + 1000) % 1000);
    return Math.round((wallMs - truncated) / MINUTE_MS);
  }
}
