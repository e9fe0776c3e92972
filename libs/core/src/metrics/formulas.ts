import { DAYSTATS, HIST, NOW } from '../contacts/contribution.js';

/** numerator ÷ denominator rounded half up, for non-negative integers; 0 when denominator is 0. */
export function divideRoundHalfUp(numerator: number, denominator: number): number {
  if (denominator <= 0) return 0;
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** part ÷ whole × 100, rounded half up to 4 decimals (`acd`, docs/api.md). */
export function percentage4(part: number, whole: number): number {
  return divideRoundHalfUp(part * 1_000_000, whole) / 10_000;
}

/** The serviceGroupData fields (docs/api.md) of one interval, from its summed historic vector. */
export interface ServiceGroupInterval {
  notUniqueReceived: number;
  notUniqueTreated: number;
  notUniqueMissed: number;
  receivedCalls: number;
  treatedCalls: number;
  missCalls: number;
  aht: number;
  postProcessing: number;
}

export function serviceGroupInterval(v: readonly number[]): ServiceGroupInterval {
  const at = (i: number): number => v[i] ?? 0;
  const treated = at(HIST.treated);
  return {
    notUniqueReceived: at(HIST.received),
    notUniqueTreated: treated,
    notUniqueMissed: at(HIST.missed),
    receivedCalls: at(HIST.uniqueReceived),
    treatedCalls: at(HIST.uniqueTreated),
    missCalls: at(HIST.uniqueMissed),
    aht: divideRoundHalfUp(at(HIST.handleMs), treated),
    postProcessing: divideRoundHalfUp(at(HIST.afterWorkMs), treated),
  };
}

/** The groupsOnlineLoad figures (docs/api.md) of a group, from today's vector and `now`. */
export interface GroupLoadFigures {
  callNumber: number;
  operatorNumber: number;
  callReceived: number;
  aht?: number;
  acd?: number;
  awt?: number;
  callAnswered: number;
  callAnsweredTst: number;
  callProcessing: number;
}

export function groupLoadFigures(
  today: readonly number[],
  now: readonly number[],
  operatorNumber: number,
): GroupLoadFigures {
  const d = (i: number): number => today[i] ?? 0;
  const n = (i: number): number => now[i] ?? 0;
  // in the ARGUS WFM CC API's field order
  return {
    callNumber: n(NOW.waiting),
    operatorNumber,
    callReceived: d(DAYSTATS.received),
    ...(d(DAYSTATS.treatedCount) > 0 && {
      aht: divideRoundHalfUp(d(DAYSTATS.treatedHandleMs), d(DAYSTATS.treatedCount)),
    }),
    ...(d(DAYSTATS.received) > 0 && {
      acd: percentage4(d(DAYSTATS.answered), d(DAYSTATS.received)),
    }),
    ...(d(DAYSTATS.waitCount) > 0 && {
      awt: divideRoundHalfUp(d(DAYSTATS.waitMs), d(DAYSTATS.waitCount)),
    }),
    callAnswered: d(DAYSTATS.answered),
    callAnsweredTst: d(DAYSTATS.answeredWithinTarget),
    callProcessing: n(NOW.processing),
  };
}

/** Element-wise sum into `target`, growing it as needed. */
export function addInto(target: number[], source: readonly number[], sign = 1): number[] {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + sign * (source[i] ?? 0);
  return target;
}
