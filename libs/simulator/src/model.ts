/**
 * The numbers behind the simulated contact center, in one place. They are plausible for
 * a mid-sized retail contact center; none is taken from a real one.
 */
export const MODEL = {
  /** Local opening hours (contacts still trickle in outside them). */
  openFromHour: 7,
  openUntilHour: 22,
  /** Relative volume per opening hour 07..21: peaks mid-morning and mid-afternoon, a lunch dip. */
  hourlyProfile: [0.55, 0.9, 1.35, 1.55, 1.4, 1.05, 1.15, 1.4, 1.3, 1.1, 0.9, 0.75, 0.6, 0.5, 0.5],
  /** Outside opening hours, relative to the average. */
  nightFactor: 0.03,
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
  holdShare: 0.2,
  holdMs: [10_000, 90_000],
  wrapUpMeanMs: { calls: 30_000, chats: 15_000 },
  relaxShare: 0.1,
  relaxMs: [20_000, 60_000],
  transferShare: 0.04,
  botClosedChatShare: 0.15,
  botCloseMs: [5_000, 60_000],
  /** Direct outgoing contacts per hour while available. */
  directOutPerHour: 2,
  /**
   * Shift templates (local hours) and how many of every 24 agents work each. Chosen so
   * the agents on duty follow the demand profile: about ten slots per unit of demand in
   * every opening hour, more over lunch time to absorb the breaks.
   */
  shifts: [
    { from: 7, to: 15, weight: 6 },
    { from: 8, to: 16, weight: 3 },
    { from: 9, to: 17, weight: 5 },
    { from: 10, to: 18, weight: 2 },
    { from: 11, to: 19, weight: 2 },
    { from: 12, to: 20, weight: 1 },
    { from: 14, to: 22, weight: 5 },
  ],
  shiftJitterMs: 10 * 60_000,
  breaks: [
    { afterHours: 2, minutes: 15, code: 'COFFEE', name: 'Coffee break' },
    { afterHours: 4, minutes: 30, code: 'LUNCH', name: 'Lunch' },
    { afterHours: 6, minutes: 15, code: 'COFFEE', name: 'Coffee break' },
  ],
  /** Breaks are staggered around their nominal time so a team does not leave together. */
  breakJitterMs: 50 * 60_000,
  trainingShare: 0.05,
  trainingMinutes: [30, 60],
  /** Agents work 5 days out of 7, days off rotating. */
  workDaysPerWeek: 5,
} as const;

export const STATES = {
  ready: { stateCode: 'READY', stateName: 'Ready', category: 'AVAILABLE' },
  talking: { stateCode: 'TALKING', stateName: 'Talking', category: 'BUSY' },
  chatting: { stateCode: 'CHATTING', stateName: 'Chatting', category: 'BUSY' },
  wrapUp: { stateCode: 'WRAPUP', stateName: 'Wrap-up', category: 'AFTER_CONTACT_WORK' },
  relax: { stateCode: 'RELAX', stateName: 'Relax', category: 'NOT_READY' },
  break: { stateCode: 'BREAK', stateName: 'Break', category: 'NOT_READY' },
} as const;
