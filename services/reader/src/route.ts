import type { ParamSpec } from './params.js';

/**
 * A GET endpoint described as data: its parameters (validated by their specs) and what
 * it answers. The app registers these and /openapi.json is generated from the same list.
 */
export interface RouteDefinition {
  readonly url: string;
  readonly summary: string;
  readonly description: string;
  readonly tag: 'historic' | 'online' | 'personnel' | 'status';
  readonly params: readonly ParamSpec<unknown>[];
  /** JSON Schema of the 200 body. */
  readonly response: Record<string, unknown>;
  readonly handle: (query: Record<string, unknown>) => Promise<unknown>;
}
