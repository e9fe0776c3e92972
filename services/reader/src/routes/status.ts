import type { LiveSource } from '../live/live-source.js';
import { exportRows, pipelineView } from '../live/views.js';
import type { RouteDefinition } from '../route.js';
import { EXPORTS_SCHEMA, PIPELINE_SCHEMA } from '../schemas.js';

/** GET /status/pipeline: the dashboard's Pipeline view as JSON (docs/dashboard.md). */
export function pipelineStatusRoute(source: LiveSource, now: () => number): RouteDefinition {
  return {
    url: '/status/pipeline',
    summary: "The pipeline's own health",
    description:
      "From the status snapshots every service instance writes every few seconds: each instance's health, consumer lag and events per second per consumer group, dead letters (lasting count and the latest reasons), status-push latency and online freshness (p50/p99 over the last minute, the slowest instance's), clients of the live stream.",
    tag: 'status',
    params: [],
    response: PIPELINE_SCHEMA,
    async handle() {
      return pipelineView(await source.board(), now());
    },
  };
}

/** GET /status/exports: the dashboard's Exports view as JSON. */
export function exportsStatusRoute(source: LiveSource): RouteDefinition {
  return {
    url: '/status/exports',
    summary: 'Each export target: delivered, queued, retrying, parked',
    description:
      'Per export target: the end of the latest interval delivered, jobs queued at the workers, the job waiting for another attempt and why, jobs parked ever, and the last failure.',
    tag: 'status',
    params: [],
    response: EXPORTS_SCHEMA,
    async handle() {
      return exportRows(await source.board());
    },
  };
}
