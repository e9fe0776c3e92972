import { HOUR_MS, type TimeZone } from '@wfm-stream/core';
import type { WfmEvent } from '@wfm-stream/schemas';

import {
  buildAgents,
  buildGroups,
  type Channel,
  directoryEvents,
  type SimAgent,
  type SimGroup,
} from './directory.js';
import { EventQueue } from './event-queue.js';
import type { CenterRules } from './invariants.js';
import { BREAK_START_TOLERANCE_MS, MODEL, STATES } from './model.js';
import { ArrivalProfile, isOpenAt } from './profile.js';
import { Random } from './random.js';
import { type PlannedBreak, type PlannedShift, shiftOf, shiftsBetween } from './schedule.js';

export interface SimulatorOptions {
  readonly seed: number;
  /** Simulation start, epoch ms. */
  readonly startMs: number;
  /** The contact center's local time: opening hours, shifts, "the day" of repeat customers. */
  readonly zone: TimeZone;
  readonly groups: number;
  readonly agents: number;
  /** Average contacts offered per hour over opening hours, all groups together. */
  readonly contactsPerHour: number;
  /** Chats one agent handles at once. */
  readonly chatConcurrency: number;
  /** Prefix of every id, so runs do not collide. */
  readonly idPrefix: string;
}

export const DEFAULT_SIMULATOR_OPTIONS = {
  seed: 1,
  groups: 6,
  agents: 60,
  contactsPerHour: 150,
  chatConcurrency: 3,
  idPrefix: 'sim',
} as const satisfies Omit<SimulatorOptions, 'startMs' | 'zone'>;

export interface SimulationStats {
  offered: number;
  answered: number;
  abandoned: number;
  botClosed: number;
  transferred: number;
  handled: number;
  waiting: number;
  agentsLoggedIn: number;
}

interface Contact {
  readonly id: string;
  readonly group: SimGroup;
  readonly customerId?: string | undefined;
  readonly offeredAt: number;
  assigned: boolean;
  done: boolean;
}

type AgentActivity = 'offline' | 'available' | 'busy' | 'wrap-up' | 'relax' | 'break';

interface AgentState {
  readonly agent: SimAgent;
  activity: AgentActivity;
  /** Contacts ringing or in progress. */
  readonly active: Set<string>;
  idleSince: number;
  /** Breaks that are due, waiting for the work in hand to be done. */
  readonly pendingBreaks: PlannedBreak[];
  /** The current shift's end (epoch ms); no new work from then on. */
  shiftEnd: number;
  shiftId: number;
  groupId?: string | undefined;
}

type Task =
  | { kind: 'plan-day'; day: number }
  | { kind: 'arrival'; group: SimGroup }
  | { kind: 'patience'; contact: Contact }
  | { kind: 'bot-close'; contact: Contact }
  | { kind: 'answer'; contact: Contact; agent: AgentState; ringMs: number }
  | { kind: 'end'; contact: Contact; agent: AgentState; talkMs: number; holdMs: number }
  | { kind: 'wrapped'; contact: Contact; agent: AgentState; wrapUpMs: number; relaxMs: number }
  | { kind: 'relax-end'; agent: AgentState }
  | { kind: 'login'; agent: AgentState; shiftId: number; shiftEnd: number }
  | { kind: 'break-due'; agent: AgentState; shiftId: number; plan: PlannedBreak }
  | { kind: 'break-end'; agent: AgentState }
  | { kind: 'shift-end'; agent: AgentState; shiftId: number }
  | { kind: 'direct-out'; agent: AgentState; shiftId: number };

type StateCategory = 'AVAILABLE' | 'BUSY' | 'AFTER_CONTACT_WORK' | 'NOT_READY';

/** An event without its id and time, which emit() adds (distributes over the union). */
type EventBody = WfmEvent extends infer E
  ? E extends WfmEvent
    ? Omit<E, 'eventId' | 'occurredAt'>
    : never
  : never;

const DIRECT_OUT_KINDS = [
  'EMAIL',
  'EMAIL',
  'EMAIL',
  'PUBLIC_NOTE',
  'PRIVATE_NOTE',
  'RESOLVE_NOTE',
] as const;

/**
 * A contact center as a discrete-event simulation: contacts arrive per group by a local
 * intraday profile, wait in FIFO queues with finite patience, are routed to skilled
 * agents (longest idle first; chat agents take several chats at once), are talked,
 * held, transferred, wrapped up; agents work shifts with breaks. Every event it emits
 * is stamped with the simulation clock at the moment it happens, so the stream is in
 * time order, and the same options always give the same stream.
 */
export class ContactCenterSimulation {
  private readonly random: Random;
  private readonly profile: ArrivalProfile;
  private readonly groups: SimGroup[];
  private readonly agents: AgentState[];
  private readonly queues = new Map<string, Contact[]>();
  private readonly tasks = new EventQueue<Task>();
  /** Channels with a night desk: their groups take contacts at night. */
  private readonly nightDesks = new Set<Channel>();
  /** Customers of the current local day: all of them, and per group. */
  private customersDay = -1;
  private customersToday: string[] = [];
  private readonly customersTodayByGroup = new Map<string, string[]>();
  private out: WfmEvent[] = [];
  private clock: number;
  private eventSeq = 0;
  private contactSeq = 0;
  private customerSeq = 0;
  private shiftSeq = 0;
  private readonly counters: SimulationStats = {
    offered: 0,
    answered: 0,
    abandoned: 0,
    botClosed: 0,
    transferred: 0,
    handled: 0,
    waiting: 0,
    agentsLoggedIn: 0,
  };

  constructor(private readonly options: SimulatorOptions) {
    if (
      options.groups < 1 ||
      options.agents < 1 ||
      options.contactsPerHour <= 0 ||
      options.chatConcurrency < 1
    ) {
      throw new RangeError('groups, agents, contactsPerHour and chatConcurrency must be positive');
    }
    this.random = new Random(options.seed);
    this.profile = new ArrivalProfile(options.zone);
    this.groups = buildGroups(options.groups, MODEL.chatShare);
    this.agents = buildAgents(options.agents, this.groups, options.idPrefix, this.random).map(
      (agent) => ({
        agent,
        activity: 'offline',
        active: new Set<string>(),
        idleSince: options.startMs,
        pendingBreaks: [],
        shiftEnd: 0,
        shiftId: -1,
      }),
    );
    for (const g of this.groups) this.queues.set(g.id, []);
    for (const a of this.agents) if (a.agent.crew === 'night') this.nightDesks.add(a.agent.channel);
    this.clock = options.startMs;
    // the shifts of yesterday and today still going on at the start: those in progress log in at once
    const today = options.zone.dayNumberAt(options.startMs);
    this.planDay(today - 1, options.startMs);
    this.planDay(today, options.startMs);
    this.schedule(options.zone.startOfDay(today + 1), { kind: 'plan-day', day: today + 1 });
    for (const g of this.groups) this.scheduleArrival(g, options.startMs);
  }

  /** Time up to which events have been returned. */
  get now(): number {
    return this.clock;
  }

  directory(): WfmEvent[] {
    return directoryEvents(
      this.groups,
      this.agents.map((a) => a.agent),
      this.iso(this.options.startMs),
      this.options.idPrefix,
    );
  }

  /** The planned shifts (with their breaks) that overlap [fromMs, toMs): the roster the simulation follows. */
  shiftsBetween(fromMs: number, toMs: number): PlannedShift[] {
    return shiftsBetween(
      this.options.seed,
      this.agents.map((a) => a.agent),
      this.options.zone,
      fromMs,
      toMs,
    );
  }

  /** The rules the simulated center keeps, for `checkCenter`. */
  rules(): CenterRules {
    const { chatConcurrency } = this.options;
    return {
      capacity: { calls: 1, chats: chatConcurrency },
      logoutGraceMs: MODEL.logoutGraceMs,
      breakStartToleranceMs: BREAK_START_TOLERANCE_MS,
      fateShownWithinMs: Math.max(
        MODEL.ringMs.calls[1],
        MODEL.ringMs.chats[1],
        MODEL.botCloseMs[1],
      ),
      isOpen: (ms, groupId) => {
        const group = this.groups.find((g) => g.id === groupId);
        return group !== undefined && this.isOpenFor(group, ms);
      },
    };
  }

  /** Whether the group takes contacts at the instant: in opening hours, or at night with a night desk. */
  private isOpenFor(group: SimGroup, ms: number): boolean {
    return isOpenAt(this.options.zone, ms) || this.nightDesks.has(group.channel);
  }

  stats(): SimulationStats {
    let waiting = 0;
    for (const q of this.queues.values()) waiting += q.filter((c) => !c.done && !c.assigned).length;
    return {
      ...this.counters,
      waiting,
      agentsLoggedIn: this.agents.filter((a) => a.activity !== 'offline').length,
    };
  }

  advance(untilMs: number): WfmEvent[] {
    for (;;) {
      const at = this.tasks.peekTime();
      if (at === undefined || at >= untilMs) break;
      const next = this.tasks.pop();
      if (next === undefined) break;
      this.clock = Math.max(this.clock, next.at);
      this.run(next.item);
    }
    this.clock = Math.max(this.clock, untilMs);
    const out = this.out;
    this.out = [];
    return out;
  }

  // ---- the agenda -------------------------------------------------------------------

  /** Everything happens on whole milliseconds, so timestamps and durations agree exactly. */
  private schedule(at: number, task: Task): void {
    this.tasks.push(Math.round(at), task);
  }

  private run(task: Task): void {
    switch (task.kind) {
      case 'plan-day':
        this.planDay(task.day, this.clock);
        this.schedule(this.options.zone.startOfDay(task.day + 1), {
          kind: 'plan-day',
          day: task.day + 1,
        });
        return;
      case 'arrival':
        this.arrival(task.group);
        return;
      case 'patience':
        if (!task.contact.assigned && !task.contact.done) this.abandon(task.contact);
        return;
      case 'bot-close':
        this.finish(task.contact, 'BOT_CLOSED');
        this.counters.botClosed++;
        return;
      case 'answer':
        this.emit({
          type: 'contact.answered',
          contactId: task.contact.id,
          agentId: task.agent.agent.id,
          ringMs: task.ringMs,
        });
        this.counters.answered++;
        this.scheduleEnd(task.contact, task.agent);
        return;
      case 'end':
        this.end(task.contact, task.agent, task.talkMs, task.holdMs);
        return;
      case 'wrapped':
        this.wrapped(task.contact, task.agent, task.wrapUpMs, task.relaxMs);
        return;
      case 'relax-end':
        if (task.agent.activity === 'relax') this.becomeFree(task.agent);
        return;
      case 'login':
        this.login(task.agent, task.shiftId, task.shiftEnd);
        return;
      case 'break-due':
        if (task.agent.shiftId !== task.shiftId || task.agent.activity === 'offline') return;
        task.agent.pendingBreaks.push(task.plan);
        if (task.agent.activity === 'available') this.becomeFree(task.agent);
        return;
      case 'break-end':
        if (task.agent.activity === 'break') this.becomeFree(task.agent);
        return;
      case 'shift-end':
        // free, resting or on a break: log out now; otherwise once the work in hand is done
        if (
          task.agent.shiftId === task.shiftId &&
          task.agent.active.size === 0 &&
          (task.agent.activity === 'available' ||
            task.agent.activity === 'relax' ||
            task.agent.activity === 'break')
        )
          this.logout(task.agent);
        return;
      case 'direct-out':
        this.directOut(task.agent, task.shiftId);
        return;
    }
  }

  // ---- shifts -------------------------------------------------------------------------

  /** Schedules the day's shifts that end after `notBefore`: login (at `notBefore` at the earliest), breaks, end. */
  private planDay(day: number, notBefore: number): void {
    for (const state of this.agents) {
      const shift = shiftOf(this.options.seed, state.agent, day, this.options.zone);
      if (shift === undefined || shift.endMs <= notBefore) continue;
      const shiftId = this.shiftSeq++;
      const loginAt = Math.max(shift.startMs, notBefore);
      this.schedule(loginAt, { kind: 'login', agent: state, shiftId, shiftEnd: shift.endMs });
      for (const plan of shift.breaks) {
        if (plan.dueMs >= loginAt && plan.dueMs < shift.endMs)
          this.schedule(plan.dueMs, { kind: 'break-due', agent: state, shiftId, plan });
      }
      this.schedule(shift.endMs, { kind: 'shift-end', agent: state, shiftId });
    }
  }

  private login(state: AgentState, shiftId: number, shiftEnd: number): void {
    if (state.activity !== 'offline') {
      // still finishing the previous shift: take the new one over
      state.shiftId = shiftId;
      state.shiftEnd = shiftEnd;
      return;
    }
    state.shiftId = shiftId;
    state.shiftEnd = shiftEnd;
    state.pendingBreaks.length = 0;
    this.emit({ type: 'agent.loggedIn', agentId: state.agent.id, ...STATES.ready });
    state.activity = 'available';
    state.groupId = undefined;
    state.idleSince = this.clock;
    this.scheduleDirectOut(state);
    this.takeWork(state);
  }

  private logout(state: AgentState): void {
    this.emit({ type: 'agent.loggedOut', agentId: state.agent.id });
    state.activity = 'offline';
    state.groupId = undefined;
    state.pendingBreaks.length = 0;
  }

  /** The agent has nothing in hand: the end of the shift, a due break, or the next contact. */
  private becomeFree(state: AgentState): void {
    if (state.active.size > 0) return;
    if (this.clock >= state.shiftEnd) {
      this.logout(state);
      return;
    }
    const pending = state.pendingBreaks.shift();
    if (pending !== undefined) {
      this.setState(state, 'break', {
        ...STATES.break,
        reasonCode: pending.code,
        reasonName: pending.name,
      });
      // a break never outlasts the shift: it ends with the logout at the shift's end
      this.schedule(Math.min(this.clock + pending.durationMs, state.shiftEnd), {
        kind: 'break-end',
        agent: state,
      });
      return;
    }
    if (state.activity !== 'available') {
      this.setState(state, 'available', STATES.ready);
      state.idleSince = this.clock;
    }
    this.takeWork(state);
  }

  private setState(
    state: AgentState,
    activity: AgentActivity,
    s: {
      stateCode: string;
      stateName: string;
      category: StateCategory;
      reasonCode?: string;
      reasonName?: string;
    },
    groupId?: string,
  ): void {
    state.activity = activity;
    state.groupId = groupId;
    this.emit({
      type: 'agent.stateChanged',
      agentId: state.agent.id,
      stateCode: s.stateCode,
      stateName: s.stateName,
      category: s.category,
      ...(s.reasonCode === undefined ? {} : { reasonCode: s.reasonCode, reasonName: s.reasonName }),
      ...(groupId === undefined ? {} : { groupId }),
    });
  }

  /** The next direct-out contact, if it falls within the shift: none is planned past its end. */
  private scheduleDirectOut(state: AgentState): void {
    const at = Math.round(this.clock + this.random.exponential(HOUR_MS / MODEL.directOutPerHour));
    if (at < state.shiftEnd)
      this.schedule(at, { kind: 'direct-out', agent: state, shiftId: state.shiftId });
  }

  private directOut(state: AgentState, shiftId: number): void {
    if (state.shiftId !== shiftId || state.activity === 'offline' || this.clock >= state.shiftEnd)
      return;
    if (state.activity === 'available') {
      this.emit({
        type: 'agent.directOutContact',
        agentId: state.agent.id,
        kind: this.random.pick(DIRECT_OUT_KINDS),
        groupId: this.random.pick(state.agent.skills),
      });
    }
    this.scheduleDirectOut(state);
  }

  // ---- contacts -----------------------------------------------------------------------

  private scheduleArrival(group: SimGroup, from: number): void {
    const maxRatePerMs =
      (this.options.contactsPerHour * group.share * this.profile.maxFactor) / HOUR_MS;
    this.schedule(from + this.random.exponential(1 / maxRatePerMs), { kind: 'arrival', group });
  }

  private arrival(group: SimGroup): void {
    // thinning: accept a candidate arrival with the ratio of the current rate to the
    // maximum (0 while the group is closed)
    if (
      this.random.next() * this.profile.maxFactor <
      this.profile.factor(this.clock, this.nightDesks.has(group.channel))
    )
      this.offer(group, this.customer(group));
    this.scheduleArrival(group, this.clock);
  }

  /** A caller: anonymous, a repeat of today (mostly to the same group), or a new customer. */
  private customer(group: SimGroup): string | undefined {
    if (this.random.chance(MODEL.anonymousShare)) return undefined;
    const day = this.options.zone.dayNumberAt(this.clock);
    if (day !== this.customersDay) {
      this.customersDay = day;
      this.customersToday = [];
      this.customersTodayByGroup.clear();
    }
    const sameGroup = this.customersTodayByGroup.get(group.id) ?? [];
    if (this.customersToday.length > 0 && this.random.chance(MODEL.repeatShare)) {
      return sameGroup.length > 0 && this.random.chance(MODEL.repeatSameGroupShare)
        ? this.random.pick(sameGroup)
        : this.random.pick(this.customersToday);
    }
    const id = `${this.options.idPrefix}-cust${++this.customerSeq}`;
    this.customersToday.push(id);
    sameGroup.push(id);
    this.customersTodayByGroup.set(group.id, sameGroup);
    return id;
  }

  private offer(group: SimGroup, customerId: string | undefined, transferredFrom?: string): void {
    const contact: Contact = {
      id: `${this.options.idPrefix}-c${++this.contactSeq}`,
      group,
      customerId,
      offeredAt: this.clock,
      assigned: false,
      done: false,
    };
    this.counters.offered++;
    this.emit({
      type: 'contact.offered',
      contactId: contact.id,
      groupId: group.id,
      channel: group.channel === 'calls' ? 'INCOMING_CALLS' : 'CHATS',
      ...(customerId === undefined ? {} : { customerId }),
      ...(transferredFrom === undefined ? {} : { transferredFromContactId: transferredFrom }),
    });
    if (
      group.channel === 'chats' &&
      transferredFrom === undefined &&
      this.random.chance(MODEL.botClosedChatShare)
    ) {
      contact.assigned = true;
      this.schedule(this.clock + this.random.between(MODEL.botCloseMs[0], MODEL.botCloseMs[1]), {
        kind: 'bot-close',
        contact,
      });
      return;
    }
    const patience = this.random.exponential(MODEL.patienceMeanMs[group.channel]);
    this.schedule(this.clock + patience, { kind: 'patience', contact });
    const agent = this.pickAgent(group);
    if (agent === undefined) this.queues.get(group.id)?.push(contact);
    else this.assign(contact, agent);
  }

  private canTake(state: AgentState, channel: Channel): boolean {
    if (
      state.agent.channel !== channel ||
      state.activity === 'offline' ||
      this.clock >= state.shiftEnd
    )
      return false;
    if (channel === 'calls') return state.activity === 'available';
    return (
      (state.activity === 'available' || state.activity === 'busy') &&
      state.active.size < this.options.chatConcurrency &&
      state.pendingBreaks.length === 0
    );
  }

  /** The agent for a new contact: the longest idle available one, else the least loaded chat agent. */
  private pickAgent(group: SimGroup): AgentState | undefined {
    let best: AgentState | undefined;
    for (const state of this.agents) {
      if (!state.agent.skills.includes(group.id) || !this.canTake(state, group.channel)) continue;
      if (
        best === undefined ||
        state.active.size < best.active.size ||
        (state.active.size === best.active.size && state.idleSince < best.idleSince)
      ) {
        best = state;
      }
    }
    return best;
  }

  private assign(contact: Contact, state: AgentState): void {
    contact.assigned = true;
    state.active.add(contact.id);
    const busy = contact.group.channel === 'calls' ? STATES.talking : STATES.chatting;
    if (state.activity !== 'busy' || state.groupId !== contact.group.id)
      this.setState(state, 'busy', busy, contact.group.id);
    const [min, max] = MODEL.ringMs[contact.group.channel];
    const ringMs = Math.round(this.random.between(min, max));
    this.schedule(this.clock + ringMs, { kind: 'answer', contact, agent: state, ringMs });
  }

  /** An agent with free capacity takes the oldest contact waiting in its groups. */
  private takeWork(state: AgentState): void {
    while (this.canTake(state, state.agent.channel)) {
      let oldest: Contact | undefined;
      let queue: Contact[] | undefined;
      for (const groupId of state.agent.skills) {
        const q = this.queues.get(groupId);
        while (q !== undefined && q.length > 0 && (q[0]?.done === true || q[0]?.assigned === true))
          q.shift();
        const head = q?.[0];
        if (head !== undefined && (oldest === undefined || head.offeredAt < oldest.offeredAt)) {
          oldest = head;
          queue = q;
        }
      }
      if (oldest === undefined || queue === undefined) return;
      queue.shift();
      this.assign(oldest, state);
    }
  }

  /**
   * Talk (and hold) of an answered contact. The log-normal's far tail is cut at
   * `maxTalkMs`, and near the shift's end the conversation is brought to a close so that
   * it and its wrap-up end within the logout grace.
   */
  private scheduleEnd(contact: Contact, state: AgentState): void {
    const channel = contact.group.channel;
    const holdMs =
      channel === 'calls' && this.random.chance(MODEL.holdShare)
        ? Math.round(this.random.between(MODEL.holdMs[0], MODEL.holdMs[1]))
        : 0;
    const endBy = state.shiftEnd + MODEL.logoutGraceMs - MODEL.maxWrapUpMs;
    const talkMs = Math.max(
      0,
      Math.min(
        Math.max(
          MODEL.minTalkMs,
          Math.round(this.random.lognormal(MODEL.talkMeanMs[channel], MODEL.talkCv)),
        ),
        MODEL.maxTalkMs[channel],
        endBy - this.clock - holdMs,
      ),
    );
    this.schedule(this.clock + talkMs + holdMs, {
      kind: 'end',
      contact,
      agent: state,
      talkMs,
      holdMs,
    });
  }

  private end(contact: Contact, state: AgentState, talkMs: number, holdMs: number): void {
    const channel = contact.group.channel;
    const otherCallGroups = this.groups.filter(
      (g) => g.channel === 'calls' && g.id !== contact.group.id,
    );
    // no transfer to a closed group: nothing is offered to it then
    const transfer =
      channel === 'calls' &&
      otherCallGroups.length > 0 &&
      otherCallGroups.every((g) => this.isOpenFor(g, this.clock)) &&
      this.random.chance(MODEL.transferShare);
    this.finish(contact, transfer ? 'TRANSFERRED' : 'HANDLED', { talkMs, holdMs });
    if (transfer) {
      this.counters.transferred++;
      this.offer(this.random.pick(otherCallGroups), contact.customerId, contact.id);
    } else {
      this.counters.handled++;
    }
    state.active.delete(contact.id);
    const wrapUpMs = Math.min(
      MODEL.maxWrapUpMs,
      Math.round(this.random.exponential(MODEL.wrapUpMeanMs[channel])),
    );
    const relaxMs =
      channel === 'calls' && this.random.chance(MODEL.relaxShare)
        ? Math.round(this.random.between(MODEL.relaxMs[0], MODEL.relaxMs[1]))
        : 0;
    if (state.active.size === 0) this.setState(state, 'wrap-up', STATES.wrapUp);
    this.schedule(this.clock + wrapUpMs, {
      kind: 'wrapped',
      contact,
      agent: state,
      wrapUpMs,
      relaxMs,
    });
    if (state.active.size > 0) this.takeWork(state);
  }

  private wrapped(
    contact: Contact,
    state: AgentState,
    wrapUpMs: number,
    drawnRelaxMs: number,
  ): void {
    // no relax after the shift's end: the agent logs out instead
    const relaxMs = this.clock < state.shiftEnd ? drawnRelaxMs : 0;
    this.emit({
      type: 'contact.wrappedUp',
      contactId: contact.id,
      agentId: state.agent.id,
      wrapUpMs,
      relaxMs,
    });
    if (state.activity !== 'wrap-up' || state.active.size > 0) return;
    if (relaxMs > 0) {
      this.setState(state, 'relax', STATES.relax);
      this.schedule(this.clock + relaxMs, { kind: 'relax-end', agent: state });
      return;
    }
    this.becomeFree(state);
  }

  private abandon(contact: Contact): void {
    this.finish(contact, 'ABANDONED');
    this.counters.abandoned++;
  }

  private finish(
    contact: Contact,
    outcome: 'HANDLED' | 'ABANDONED' | 'TRANSFERRED' | 'BOT_CLOSED',
    durations: { talkMs?: number; holdMs?: number } = {},
  ): void {
    contact.done = true;
    this.emit({ type: 'contact.ended', contactId: contact.id, outcome, ...durations });
  }

  // ---- output -------------------------------------------------------------------------

  private nextEventId(): string {
    return `${this.options.idPrefix}-e${++this.eventSeq}`;
  }

  private iso(ms: number): string {
    return new Date(Math.round(ms)).toISOString();
  }

  private emit(event: EventBody): void {
    this.out.push({
      eventId: this.nextEventId(),
      occurredAt: this.iso(this.clock),
      ...event,
    });
  }
}
