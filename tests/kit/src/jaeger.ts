import { resolve } from 'node:path';
import { freePorts } from './free-port.js';
import { spawnManaged, type ManagedProcess } from './managed-process.js';
import { repoRoot } from './services.js';
import { toolBinary } from './tool-binary.js';

/** One span as Jaeger's query API (/api/traces/<id>) gives it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  startTime: number;
  processID: string;
  references: { refType: string; traceID: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
  /** The service that made it, filled in from the trace's processes. */
  service: string;
}

/** A running Jaeger v2 (offline/tools/jaeger), its in-memory store empty, on free loopback ports. */
export interface Jaeger {
  /** What a service's OTEL_EXPORTER_OTLP_ENDPOINT should be. */
  otlpEndpoint: string;
  queryUrl: string;
  process: ManagedProcess;
  /** The spans of a trace, oldest first; none while Jaeger has not got it. */
  spans(traceId: string): Promise<JaegerSpan[]>;
  /** The services that have sent spans. */
  services(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startJaeger(startTimeoutMs = 30_000): Promise<Jaeger> {
  const binary = await toolBinary('jaeger');
  const [otlpHttp, otlpGrpc, queryHttp, queryGrpc] = await freePorts(4);
  const host = '127.0.0.1';
  const process = spawnManaged('jaeger', binary, ['--config', resolve(repoRoot, 'offline/tools/jaeger/config.yaml')], {
    env: {
      JAEGER_OTLP_HTTP_ADDR: `${host}:${otlpHttp}`,
      JAEGER_OTLP_GRPC_ADDR: `${host}:${otlpGrpc}`,
      JAEGER_QUERY_HTTP_ADDR: `${host}:${queryHttp}`,
      JAEGER_QUERY_GRPC_ADDR: `${host}:${queryGrpc}`,
      JAEGER_LOG_LEVEL: 'warn',
    },
  });
  const queryUrl = `http://${host}:${queryHttp}`;
  const otlpEndpoint = `http://${host}:${otlpHttp}`;
  const getJson = async (path: string) => {
    const response = await fetch(`${queryUrl}${path}`, { signal: AbortSignal.timeout(2_000) });
    return { status: response.status, body: (await response.json()) as { data?: unknown } };
  };
  // Both ports: the query API answers, and the OTLP receiver takes an (empty) export.
  const answers = async () => {
    const query = await getJson('/api/services').catch(() => undefined);
    const otlp = await fetch(`${otlpEndpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    return query?.status === 200 && otlp?.ok === true;
  };
  try {
    await process.waitUntil(`answer on ${queryUrl} and ${otlpEndpoint}`, answers, startTimeoutMs);
  } catch (err) {
    await process.stop();
    throw err;
  }
  return {
    otlpEndpoint,
    queryUrl,
    process,
    spans: async (traceId) => {
      const { status, body } = await getJson(`/api/traces/${traceId}`);
      if (status === 404) return [];
      const [trace] = (body.data ?? []) as { spans: Omit<JaegerSpan, 'service'>[]; processes: Record<string, { serviceName: string }> }[];
      if (!trace) return [];
      return trace.spans
        .map((span) => ({ ...span, service: trace.processes[span.processID]?.serviceName ?? '?' }))
        .sort((a, b) => a.startTime - b.startTime);
    },
    services: async () => ((await getJson('/api/services')).body.data ?? []) as string[],
    stop: async () => {
      await process.stop();
    },
  };
}
