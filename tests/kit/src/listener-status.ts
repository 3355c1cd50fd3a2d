import type { System } from './system.js';

/** What a listener says of itself on GET /health (its consumer's counters), natively or in a container. */
export interface ListenerStatus {
  connected: boolean;
  consuming: boolean;
  inFlight: number;
  settled: number;
  redelivered: number;
}

/** A listener replica's status while it consumes; undefined while it does not (its health answers 503). */
export async function listenerStatus(system: System, replica = 0): Promise<ListenerStatus | undefined> {
  const response = await fetch(`${system.url('listener', replica)}/health`, { signal: AbortSignal.timeout(5_000) });
  if (response.status !== 200) return undefined;
  return ((await response.json()) as { data: ListenerStatus }).data;
}
