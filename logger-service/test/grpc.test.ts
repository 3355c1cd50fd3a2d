import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLogsProto, type LogRequest, type LogResponse, type LogServiceClient } from '@go-micro/contracts/logs-grpc';
import { sharedFerretDB } from '@go-micro/testkit/shared-servers.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { LogsReader, startLogger, type RunningLogger } from './logger-harness.js';

let logger: RunningLogger;
let reader: LogsReader;
let client: LogServiceClient;

beforeAll(async () => {
  const { url } = sharedFerretDB();
  logger = await startLogger(url);
  reader = new LogsReader(url);
  const { LogService } = loadLogsProto();
  client = new LogService(logger.grpcAddress, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await reader?.close();
  await logger?.close();
});

/** Calls WriteLog from the shared proto, as the broker (or the course's Go broker) does. */
function writeLog(request: LogRequest, metadata = new grpc.Metadata()): Promise<{ err: grpc.ServiceError | null; response?: LogResponse }> {
  return new Promise((resolve) => {
    client.WriteLog(request, metadata, { deadline: Date.now() + 5_000 }, (err, response) => resolve({ err, ...(response ? { response } : {}) }));
  });
}

describe('logger gRPC LogService.WriteLog', () => {
  it('when the entry is valid, answers logged! and stores it with name, data and timestamps', async () => {
    const name = uniqueName('grpc');

    const { err, response } = await writeLog({ logEntry: { name, data: 'via gRPC' } });

    expect(err).toBeNull();
    expect(response).toEqual({ result: 'logged!' });
    const [entry, ...others] = await reader.entries({ name });
    expect(others).toHaveLength(0);
    expect(entry).toMatchObject({ name, data: 'via gRPC' });
    expect(entry!.created_at).toBeInstanceOf(Date);
    expect(entry!.updated_at).toBeInstanceOf(Date);
  });

  it('when the call carries x-request-id metadata, the entry is written under that request id', async () => {
    const name = uniqueName('grpc-reqid');
    const metadata = new grpc.Metadata();
    const requestId = uniqueName('grpc-request');
    metadata.set('x-request-id', requestId);

    const { err } = await writeLog({ logEntry: { name, data: 'x' } }, metadata);

    expect(err).toBeNull();
    expect(logger.requestIds.get(name)).toBe(requestId);
    expect(logger.lines.find((line) => line.reqId === requestId)).toMatchObject({ level: 30, msg: 'gRPC call answered', method: 'WriteLog' });
  });

  it('when the entry has no name, answers INVALID_ARGUMENT naming it', async () => {
    const { err } = await writeLog({ logEntry: { name: '', data: 'x' } });

    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toBe('name: must not be empty');
  });

  it('when the request has no entry at all, answers INVALID_ARGUMENT', async () => {
    const { err } = await writeLog({});

    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});
