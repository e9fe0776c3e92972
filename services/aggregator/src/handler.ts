import type { BatchHandler } from '@wfm-stream/kafka';
import type { Logger } from '@wfm-stream/observability';
import type { AgentEvent, ContactEvent, DirectoryEvent } from '@wfm-stream/schemas';
import type { AgentAggregation, ContactAggregation, DirectoryStore } from '@wfm-stream/store';

export interface AggregatorStores {
  readonly contacts: ContactAggregation;
  readonly agents: AgentAggregation;
  readonly directory: DirectoryStore;
}

/**
 * Routes each batch to the aggregation of its stream. `storesNow` gives the stores of
 * the generation being written; a batch takes them once and keeps them throughout.
 */
export function aggregatorHandler(
  storesNow: AggregatorStores | (() => AggregatorStores),
  logger: Logger,
  limits: { readonly maxEventsPerContact: number } = { maxEventsPerContact: 64 },
): BatchHandler {
  return async (batch, context) => {
    const stores = typeof storesNow === 'function' ? storesNow() : storesNow;
    switch (batch.stream) {
      case 'contacts': {
        const result = await stores.contacts.apply(
          batch.events.map((e) => e.event as ContactEvent),
          batch.events.map((e) => e.atMs),
        );
        // every copy in the batch of a refused event id
        const refused = new Set(result.refused.map((r) => r.eventId));
        for (const e of batch.events)
          if (refused.has(e.event.eventId))
            context.reject({
              offset: e.offset,
              kind: 'limit',
              reason: `its contact already has ${limits.maxEventsPerContact} events (CONTACT_MAX_EVENTS); this one changes nothing`,
            });
        logger.debug(
          {
            topic: batch.topic,
            partition: batch.partition,
            events: batch.events.length,
            ...result,
            snapshots: undefined,
          },
          'contact batch applied',
        );
        return;
      }
      case 'directory': {
        await stores.directory.apply(batch.events.map((e) => e.event as DirectoryEvent));
        return;
      }
      case 'agents': {
        await stores.agents.apply(
          batch.events.map((e) => e.event as AgentEvent),
          batch.events.map((e) => e.atMs),
        );
        return;
      }
    }
  };
}
