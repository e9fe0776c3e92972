import { startHttpServer, type TestHttpServer } from '@wfm-stream/testing';

/** Where a WFM takes status pushes (docs/api.md, "Status pushes to the WFM"). */
export const WFM_STATUS_PATH = '/ccwfm/api/rest/status';

/** One status push as a WFM received it. */
export interface ReceivedPush {
  readonly workerId: string;
  /** `action:stateCode:stateName:actionTime`: what the push says, for comparing runs. */
  readonly push: string;
  /** The Idempotency-Key header, when one came (docs/api.md, "Status pushes to the WFM"). */
  readonly key: string | undefined;
  readonly atMs: number;
}

export interface WfmReceiver extends TestHttpServer {
  readonly received: readonly ReceivedPush[];
}

/**
 * A WFM status endpoint for tests that answers every POST after `latencyMs`, as a real
 * WFM takes a while, so that an emitter always has pushes queued behind the one in flight.
 * A push counts as received when its request has fully arrived, before the answer.
 */
export async function startWfmReceiver(latencyMs: number): Promise<WfmReceiver> {
  const received: ReceivedPush[] = [];
  const server = await startHttpServer((request, response, text) => {
    const body = JSON.parse(text) as {
      workerId: string;
      action: number;
      stateCode: string;
      stateName: string;
      actionTime: number;
    };
    const key = request.headers['idempotency-key'];
    received.push({
      workerId: body.workerId,
      push: `${body.action}:${body.stateCode}:${body.stateName}:${body.actionTime}`,
      key: typeof key === 'string' ? key : undefined,
      atMs: Date.now(),
    });
    setTimeout(() => {
      response.writeHead(200).end();
    }, latencyMs);
  });
  return { ...server, received };
}

/** Per agent, what a WFM was told, in arrival order. */
export function pushesByAgent(
  pushes: readonly { workerId: string; push: string }[],
): Map<string, string[]> {
  const agents = new Map<string, string[]>();
  for (const p of pushes) {
    let list = agents.get(p.workerId);
    if (list === undefined) agents.set(p.workerId, (list = []));
    list.push(p.push);
  }
  return agents;
}

/** What a receiver got, measured against what it should have got. */
export interface DeliveryReport {
  /** Pushes expected and never received. */
  readonly lost: number;
  /** Pushes received more often than expected, without a key that marks them as a re-send. */
  readonly extra: number;
  /** Re-sends recognisable by their Idempotency-Key (the same key as a push already received). */
  readonly keyedDuplicates: number;
  /** Keys that came with two different pushes (must never happen). */
  readonly keyCollisions: number;
  /** Agents whose pushes, re-sends set aside, are not the expected ones in the expected order (lost, extra or reordered). */
  readonly agentsDiffering: string[];
}

/**
 * Compares the pushes received with the expected ones, per agent: a push whose key was
 * already received is a recognisable re-send (counted, then set aside); what is left must
 * be exactly the expected pushes in the expected order.
 */
export function deliveryReport(
  received: readonly ReceivedPush[],
  expected: ReadonlyMap<string, readonly string[]>,
): DeliveryReport {
  const byKey = new Map<string, string>();
  let keyedDuplicates = 0;
  let keyCollisions = 0;
  const firsts: ReceivedPush[] = [];
  for (const r of received) {
    if (r.key !== undefined) {
      const seen = byKey.get(r.key);
      if (seen !== undefined) {
        if (seen === `${r.workerId}/${r.push}`) keyedDuplicates++;
        else keyCollisions++;
        continue;
      }
      byKey.set(r.key, `${r.workerId}/${r.push}`);
    }
    firsts.push(r);
  }
  const actual = pushesByAgent(firsts);
  let lost = 0;
  let extra = 0;
  const agentsDiffering: string[] = [];
  for (const agent of new Set([...expected.keys(), ...actual.keys()])) {
    const want = expected.get(agent) ?? [];
    const got = actual.get(agent) ?? [];
    const counts = new Map<string, number>();
    for (const p of want) counts.set(p, (counts.get(p) ?? 0) + 1);
    for (const p of got) counts.set(p, (counts.get(p) ?? 0) - 1);
    for (const n of counts.values()) {
      if (n > 0) lost += n;
      else extra -= n;
    }
    if (want.length !== got.length || want.some((p, i) => got[i] !== p))
      agentsDiffering.push(agent);
  }
  return { lost, extra, keyedDuplicates, keyCollisions, agentsDiffering };
}

/** The pushes received, re-sends (a key already received) set aside. */
export function withoutResends(received: readonly ReceivedPush[]): ReceivedPush[] {
  const seen = new Set<string>();
  return received.filter((r) => {
    if (r.key === undefined) return true;
    if (seen.has(r.key)) return false;
    seen.add(r.key);
    return true;
  });
}

/** Where an agent's received pushes (re-sends set aside) first differ from the expected ones, for a failure's message. */
export function firstDifference(
  received: readonly ReceivedPush[],
  expected: ReadonlyMap<string, readonly string[]>,
): string | undefined {
  const actual = pushesByAgent(withoutResends(received));
  for (const [agent, want] of expected) {
    const got = actual.get(agent) ?? [];
    const i = want.findIndex((p, j) => got[j] !== p);
    if (i < 0 && got.length === want.length) continue;
    const at = i < 0 ? want.length : i;
    const around = (list: readonly (string | undefined)[]): string =>
      list.slice(Math.max(0, at - 2), at + 3).join(' | ');
    return `${agent} from push ${at}: expected ${around(want)}; received ${around(got)}`;
  }
  return undefined;
}
