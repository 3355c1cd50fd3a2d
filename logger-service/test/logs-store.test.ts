import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedFerretDB } from '@go-micro/testkit/shared-servers.js';
import { uniqueName } from '@go-micro/testkit/unique-name.js';
import { LogsStore } from '../src/logs-store.js';

let mongo: MongoClient;
let logs: LogsStore;
let inserts = 0;

beforeAll(async () => {
  // Counts the insert commands the store sends, to see entries go together.
  mongo = new MongoClient(sharedFerretDB().url, { monitorCommands: true, serverSelectionTimeoutMS: 2_000 });
  mongo.on('commandStarted', (event) => {
    if (event.commandName === 'insert') inserts++;
  });
  logs = new LogsStore(mongo);
  await logs.ensureIndexes();
});
afterAll(async () => {
  await mongo?.close();
});

const stored = (filter: object) => mongo.db('logs').collection('logs').countDocuments(filter);

describe('LogsStore writes', () => {
  it('when 50 entries are written at once, stores each once in fewer inserts than entries, each with its own time', async () => {
    const name = uniqueName('together');
    inserts = 0;
    await Promise.all(Array.from({ length: 50 }, (_, i) => logs.write({ name, data: `entry ${i}` })));

    expect(await stored({ name })).toBe(50);
    expect(inserts).toBeGreaterThan(0);
    expect(inserts).toBeLessThan(50);
    const datas = await mongo.db('logs').collection('logs').distinct('data', { name });
    expect(datas).toHaveLength(50);
  });

  it('when the same event is written twice in one batch and once more later, every write succeeds and it is stored once', async () => {
    const name = uniqueName('event-twice');
    const eventId = randomUUID();
    const others = Array.from({ length: 5 }, (_, i) => logs.write({ name, data: `other ${i}` }));
    await Promise.all([
      logs.write({ name, data: 'the event', event_id: eventId }),
      logs.write({ name, data: 'the event', event_id: eventId }),
      ...others,
    ]);
    await logs.write({ name, data: 'the event', event_id: eventId });

    expect(await stored({ event_id: eventId })).toBe(1);
    expect(await stored({ name })).toBe(6);
  });
});
