import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJSON } from '@go-micro/testkit/http.js';
import { sharedFerretDB } from '@go-micro/testkit/shared-servers.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { LogsReader, startLogger, type RunningLogger } from './logger-harness.js';

let logger: RunningLogger;
let reader: LogsReader;

beforeAll(async () => {
  const { url } = sharedFerretDB();
  logger = await startLogger(url);
  reader = new LogsReader(url);
});
afterAll(async () => {
  await reader?.close();
  await logger?.close();
});

describe('logger POST /log', () => {
  it('when the entry is valid, answers 202 logged and stores it with name, data and timestamps', async () => {
    const name = uniqueName('rest');
    const before = Date.now();

    const { status, body } = await postJSON(`${logger.url}/log`, { name, data: 'some data' });

    expect(status).toBe(202);
    expect(body).toEqual({ error: false, message: 'logged' });
    const [entry, ...others] = await reader.entries({ name });
    expect(others).toHaveLength(0);
    expect(entry).toMatchObject({ name, data: 'some data' });
    expect(entry!.created_at).toBeInstanceOf(Date);
    expect(entry!.created_at.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(entry!.updated_at).toEqual(entry!.created_at);
  });

  it('when the same event id is posted twice, stores it once and answers 202 both times', async () => {
    const name = uniqueName('rest-dup');
    const entry = { name, data: 'once', event_id: uniqueName('event') };

    const first = await postJSON(`${logger.url}/log`, entry);
    const second = await postJSON(`${logger.url}/log`, entry);

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(await reader.entries({ name })).toHaveLength(1);
  });

  it('when two entries have the same name and data but no event id, stores both', async () => {
    const name = uniqueName('rest-twice');

    await postJSON(`${logger.url}/log`, { name, data: 'same' });
    await postJSON(`${logger.url}/log`, { name, data: 'same' });

    expect(await reader.entries({ name })).toHaveLength(2);
  });

  it('when the name is missing, answers 400 naming it', async () => {
    const { status, body } = await postJSON(`${logger.url}/log`, { data: 'x' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'name: must be a string' });
  });

  it('when the name is blank, answers 400 naming it', async () => {
    const { status, body } = await postJSON(`${logger.url}/log`, { name: '  ', data: 'x' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'name: must not be empty' });
  });

  it('when data is not a string, answers 400 naming it', async () => {
    const { status, body } = await postJSON(`${logger.url}/log`, { name: 'x', data: 5 });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'data: must be a string' });
  });

  it('when data is larger than 64 KiB, answers 400 naming it', async () => {
    const { status, body } = await postJSON(`${logger.url}/log`, { name: 'x', data: 'x'.repeat(64 * 1024 + 1) });
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'data: must be at most 64 KiB' });
  });

  it('when the body holds two JSON values, answers 400', async () => {
    const { status, body } = await postJSON(`${logger.url}/log`, '{"name":"a","data":"b"}{"name":"c","data":"d"}');
    expect(status).toBe(400);
    expect(body).toEqual({ error: true, message: 'body must have only a single JSON value' });
  });
});
