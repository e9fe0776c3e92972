import { formatDayNumber, parseOffsetInstant, TimeZone } from '@wfm-stream/core';
import {
  CALL_LOG_ZONE,
  loadBundledCallLog,
  planEndMs,
  planReplay,
  type ReplayOptions,
} from '@wfm-stream/replay';
import {
  ContactCenterSimulation,
  DEFAULT_SIMULATOR_OPTIONS,
  type SimulatorOptions,
} from '@wfm-stream/simulator';

import { type EventSource, listSource } from './source.js';

export type SimulationSettings = Partial<Omit<SimulatorOptions, 'startMs' | 'zone'>> & {
  readonly startMs: number;
  readonly zone: TimeZone;
};

/** The simulator as a source that never finishes. */
export function simulationSource(settings: SimulationSettings): EventSource {
  const sim = new ContactCenterSimulation({ ...DEFAULT_SIMULATOR_OPTIONS, ...settings });
  return {
    startMs: settings.startMs,
    directory: () => sim.directory(),
    advance: (untilMs) => sim.advance(untilMs),
    finished: () => false,
  };
}

/** The bundled call log as a source; `endMs` is where its last day ends. */
export function replaySource(
  options: ReplayOptions,
): EventSource & { readonly endMs: number; readonly summary: string } {
  const plan = planReplay(loadBundledCallLog(), options);
  const source = listSource(
    plan.startMs,
    plan.directory,
    plan.events,
    (e) => parseOffsetInstant(e.occurredAt)?.ms ?? 0,
  );
  const s = plan.stats;
  return {
    ...source,
    endMs: planEndMs(plan),
    summary: `${s.days} days, ${s.contacts} contacts (${s.handled} handled, ${s.abandoned} abandoned, ${s.phantom} phantom), ${s.agents} agents, ${plan.events.length} events`,
  };
}

/** Today's date where the call log happened (Israel): what `--rebase today` moves its first day to. */
export function replayToday(now = Date.now()): string {
  const zone = TimeZone.of(CALL_LOG_ZONE) ?? TimeZone.UTC;
  return formatDayNumber(zone.dayNumberAt(now));
}
