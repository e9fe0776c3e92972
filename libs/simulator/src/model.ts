/**
 * The numbers behind the simulated contact center, in one place. They are plausible for
 * a mid-sized retail contact center; none is taken from a real one.
 */
export const MODEL = {
  /**
   * Local opening hours of the day service, 07:00–22:00. At night only the groups of a
   * channel with a night desk take contacts, a trickle, answered by the night crew; the
   * other groups are closed and offered nothing.
   */
  openFromHour: 7,
  openUntilHour: 22,
  /** At night, for groups with a night desk, relative to the day's average. */
  nightFactor: 0.04,
  /** Agents of a channel on the night desk, when the channel has at least `nightDeskMinAgents`. */
  nightCrewPerChannel: 2,
  nightDeskMinAgents: 6,
  /** Relative volume per opening hour 07..21: peaks mid-morning and mid-afternoon, a lunch dip. */
  hourlyProfile: [0.55, 0.9, 1.35, 1.55, 1.4, 1.05, 1.15, 1.4, 1.3, 1.1, 0.9, 0.75, 0.6, 0.5, 0.5],
  /** Saturdays and Sundays, relative to weekdays. */
  weekendFactor: 0.4,
  /** Share of all contacts that are chats, when there are chat groups. */
  chatShare: 0.3,
  anonymousShare: 0.1,
  /** Share of contacts from a customer who already contacted that local day. */
  repeatShare: 0.2,
  /** Of the repeats, the share that comes back to the same group. */
  repeatSameGroupShare: 0.7,
  patienceMeanMs: { calls: 120_000, chats: 300_000 },
  ringMs: { calls: [2_000, 8_000], chats: [1_000, 3_000] },
  talkMeanMs: { calls: 240_000, chats: 480_000 },
  talkCv: 0.8,
  minTalkMs: 20_000,
  /** The longest conversation: the log-normal's far tail is cut here. */
  maxTalkMs: { calls: 20 * 60_000, chats: 25 * 60_000 },
  holdShare: 0.2,
  holdMs: [10_000, 90_000],
  wrapUpMeanMs: { calls: 30_000, chats: 15_000 },
  /** The longest wrap-up. */
  maxWrapUpMs: 3 * 60_000,
  relaxShare: 0.1,
  relaxMs: [20_000, 60_000],
  transferShare: 0.04,
  botClosedChatShare: 0.15,
  botCloseMs: [5_000, 60_000],
  /** Direct outgoing contacts per hour while available. */
  directOutPerHour: 2,
  /**
   * Shift templates (local minutes after midnight, and hours) and how many of every 24
   * agents of a channel work each: full-time shifts of 8 hours and part-time ones of 4
   * for the peaks and the evening. Chosen so the agents on duty follow the demand
   * profile, with relatively more of them when teams are small (early and late); the
   * first team logs in before opening, the last one stays until the queues are empty
   * after closing.
   */
  shifts: [
    { fromMinutes: 6 * 60 + 40, hours: 8, weight: 7 },
    { fromMinutes: 8 * 60, hours: 4, weight: 2 },
    { fromMinutes: 8 * 60 + 30, hours: 8, weight: 3 },
    { fromMinutes: 9 * 60 + 30, hours: 8, weight: 2 },
    { fromMinutes: 11 * 60, hours: 8, weight: 2 },
    { fromMinutes: 14 * 60, hours: 4, weight: 1 },
    { fromMinutes: 14 * 60 + 20, hours: 8, weight: 5 },
    { fromMinutes: 18 * 60 + 20, hours: 4, weight: 2 },
    // the night desk (agents are given it by `nightCrewPerChannel`, not dealt by weight)
    { fromMinutes: 22 * 60, hours: 9, weight: 0 },
  ],
  /** A shift starts up to this much before or after its template's time. */
  shiftJitterMs: 10 * 60_000,
  /**
   * At the end of its shift an agent takes no new contact and logs out as soon as it is
   * free, at the latest this long after the shift's end: a conversation still going on
   * then is brought to a close so that it and its wrap-up end in time.
   */
  logoutGraceMs: 15 * 60_000,
  /**
   * Planned breaks, each at its time after the shift's start, give or take its jitter;
   * a shift has those due in its first hours less one (a 4-hour shift: the first coffee
   * break). They are spaced so that even a break taken late (see
   * `BREAK_START_TOLERANCE_MS`) ends before the next one is due and before the shift's
   * end.
   */
  breaks: [
    { afterMinutes: 120, jitterMinutes: 30, minutes: 15, code: 'COFFEE', name: 'Coffee break' },
    { afterMinutes: 270, jitterMinutes: 30, minutes: 30, code: 'LUNCH', name: 'Lunch' },
    { afterMinutes: 380, jitterMinutes: 15, minutes: 15, code: 'COFFEE', name: 'Coffee break' },
  ],
  /** Share of shifts whose last break is a training session instead, of 30–45 minutes. */
  trainingShare: 0.05,
  trainingMinutes: [30, 45],
  /**
   * A third of each day team (the first, fourth, … agent of a channel on a template) is
   * the weekend crew: skilled in every group of its channel, working Saturday, Sunday and
   * three weekdays. The others work Monday to Friday. So a weekend has about 40 % of a
   * weekday's agents, as it has 40 % of its contacts. The night crew, skilled in every
   * group of its channel too, works five nights of seven, its members' nights off apart.
   */
  weekendCrewEvery: 3,
} as const;

/** The longest ring of either channel. */
const MAX_RING_MS = Math.max(MODEL.ringMs.calls[1], MODEL.ringMs.chats[1]);

/**
 * How late a planned break may start: an agent takes it when the work in hand is done,
 * at worst a conversation just begun (ring, the longest talk, hold), its wrap-up and a
 * relax.
 */
export const BREAK_START_TOLERANCE_MS =
  MAX_RING_MS +
  Math.max(MODEL.maxTalkMs.calls, MODEL.maxTalkMs.chats) +
  MODEL.holdMs[1] +
  MODEL.maxWrapUpMs +
  MODEL.relaxMs[1];

/**
 * The bands a real center's figures stay within, which the simulated one keeps with the
 * default options (tested over many seeds): per opening hour and over a day's opening
 * hours, the service level (answered within 20 s, of the contacts offered) and the
 * occupancy (busy or wrap-up, of the time READY, busy or in wrap-up).
 */
export const PLAUSIBLE_BANDS = {
  hourlyServiceLevel: [0.45, 1],
  hourlyOccupancy: [0.2, 0.92],
  dailyServiceLevel: [0.8, 0.98],
  dailyOccupancy: [0.4, 0.8],
} as const;

export const STATES = {
  ready: { stateCode: 'READY', stateName: 'Ready', category: 'AVAILABLE' },
  talking: { stateCode: 'TALKING', stateName: 'Talking', category: 'BUSY' },
  chatting: { stateCode: 'CHATTING', stateName: 'Chatting', category: 'BUSY' },
  wrapUp: { stateCode: 'WRAPUP', stateName: 'Wrap-up', category: 'AFTER_CONTACT_WORK' },
  relax: { stateCode: 'RELAX', stateName: 'Relax', category: 'NOT_READY' },
  break: { stateCode: 'BREAK', stateName: 'Break', category: 'NOT_READY' },
} as const;
