import { describe, expect, it } from 'vitest';

import { type ContactFacts, DAYSTATS, groupContribution, HIST, NOW } from '../index.js';

const T0 = Date.UTC(2020, 0, 1, 10, 0);
const SL = 20_000;

function contact(partial: Partial<ContactFacts>): ContactFacts {
  return {
    contactId: 'c1',
    offered: { at: T0, groupId: 'g1', channel: 'INCOMING_CALLS', customerId: 'cust' },
    ...partial,
  };
}

/** The contribution of an offered contact with these facts, at a 20 s service level. */
const contributionOf = (partial: Partial<ContactFacts>) => groupContribution(contact(partial), SL);

describe('groupContribution', () => {
  it('counts nothing for a contact never offered or closed by a bot', () => {
    expect(
      groupContribution({ contactId: 'c', answered: { at: T0, agentId: 'a', ringMs: 0 } }, SL),
    ).toBeUndefined();
    expect(
      contributionOf({ ended: { at: T0 + 5_000, outcome: 'BOT_CLOSED', talkMs: 0, holdMs: 0 } }),
    ).toBeUndefined();
  });

  it('counts an open contact as received and waiting, neither treated nor missed', () => {
    const c = contributionOf({});
    const offered = c?.historic[0];
    expect(offered?.at).toBe(T0);
    expect(offered?.base[HIST.received]).toBe(1);
    expect(offered?.base[HIST.treated]).toBe(0);
    expect(offered?.base[HIST.missed]).toBe(0);
    expect(offered?.unique?.[HIST.uniqueReceived]).toBe(1);
    expect(c?.now[NOW.waiting]).toBe(1);
    expect(c?.now[NOW.processing]).toBe(0);
  });

  it('sums handling and after-contact work of a treated contact', () => {
    const c = contributionOf({
      answered: { at: T0 + 20_000, agentId: 'a', ringMs: 1_000 },
      ended: { at: T0 + 80_000, outcome: 'HANDLED', talkMs: 50_000, holdMs: 10_000 },
      wrappedUp: { at: T0 + 90_000, agentId: 'a', wrapUpMs: 8_000, relaxMs: 2_000 },
    });
    const offered = c?.historic[0];
    expect(offered?.base[HIST.treated]).toBe(1);
    expect(offered?.base[HIST.handleMs]).toBe(61_000);
    expect(offered?.base[HIST.afterWorkMs]).toBe(10_000);
    expect(offered?.unique?.[HIST.uniqueTreated]).toBe(1);
    const ended = c?.historic[1];
    expect(ended?.at).toBe(T0 + 80_000);
    expect(ended?.base[HIST.endedHandled]).toBe(1);
    expect(ended?.base[HIST.endedHandledContactMs]).toBe(60_000);
    expect(c?.now).toEqual([0, 0]);
  });

  it('counts an answer at exactly the target as within it', () => {
    const within = contributionOf({ answered: { at: T0 + SL, agentId: 'a', ringMs: 0 } });
    const late = contributionOf({ answered: { at: T0 + SL + 1, agentId: 'a', ringMs: 0 } });
    const answered = (c: typeof within) => c?.daily.find((d) => d.base[DAYSTATS.answered] === 1);
    expect(answered(within)?.base[DAYSTATS.answeredWithinTarget]).toBe(1);
    expect(answered(late)?.base[DAYSTATS.answeredWithinTarget]).toBe(0);
    expect(within?.now[NOW.processing]).toBe(1);
  });

  it('takes the wait of an abandoned contact at its end', () => {
    const c = contributionOf({
      ended: { at: T0 + 45_000, outcome: 'ABANDONED', talkMs: 0, holdMs: 0 },
    });
    expect(c?.historic[0]?.base[HIST.missed]).toBe(1);
    const left = c?.daily.find((d) => d.base[DAYSTATS.waitCount] === 1);
    expect(left?.at).toBe(T0 + 45_000);
    expect(left?.base[DAYSTATS.waitMs]).toBe(45_000);
  });

  it('treats a transferred contact as treated', () => {
    const c = contributionOf({
      answered: { at: T0 + 1_000, agentId: 'a', ringMs: 0 },
      ended: { at: T0 + 9_000, outcome: 'TRANSFERRED', talkMs: 8_000, holdMs: 0 },
    });
    expect(c?.historic[0]?.base[HIST.treated]).toBe(1);
    expect(c?.historic).toHaveLength(1);
  });
});
