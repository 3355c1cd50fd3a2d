import { MongoServerError, type Collection, type MongoClient } from 'mongodb';
import type { LoggedEntry } from '@go-micro/contracts';
import { serviceUnavailable, SpanKind, withSpan } from '@go-micro/toolkit';

/** A span's attributes for a call on the logs collection, in OpenTelemetry's database conventions. */
export const mongoSpan = (operation: string) => ({
  kind: SpanKind.CLIENT,
  attributes: { 'db.system.name': 'mongodb', 'db.namespace': 'logs', 'db.collection.name': 'logs', 'db.operation.name': operation },
});

/** Where entries are written: the logs collection, in production; tests may wrap it. */
export interface LogWriter {
  write(entry: LoggedEntry): Promise<void>;
}

/** An entry as the course stored it, plus, for events, the id that makes writing one twice harmless. */
export interface LogDocument {
  name: string;
  data: string;
  event_id?: string;
  created_at: Date;
  updated_at: Date;
}

const DUPLICATE_KEY = 11000;

/** The `logs` collection of the `logs` database. */
export class LogsStore implements LogWriter {
  private readonly logs: Collection<LogDocument>;

  constructor(private readonly client: MongoClient) {
    this.logs = client.db('logs').collection<LogDocument>('logs');
  }

  /** Resolves when MongoDB answers a ping (the logger's readiness); 503 naming it otherwise. */
  async ping(): Promise<void> {
    try {
      await this.client.db('logs').command({ ping: 1 });
    } catch (err) {
      throw serviceUnavailable('MongoDB', err);
    }
  }

  /**
   * Safe on every start and from every replica: creating an index that exists
   * changes nothing. One call per index, because FerretDB 1.x drops the
   * connection when a batch names an index that already exists.
   */
  async ensureIndexes(): Promise<void> {
    await this.logs.createIndex({ created_at: 1 }, { name: 'created_at_1' });
    // Sparse: entries without an event id (REST, JSON-RPC, gRPC calls, or written by the Go logger) are not in it.
    await this.logs.createIndex({ event_id: 1 }, { name: 'event_id_1', unique: true, sparse: true });
  }

  /**
   * Stores an entry, and an event only once: a second write of the same event
   * id (a RabbitMQ redelivery) hits the unique index and is taken as done.
   */
  write(entry: LoggedEntry): Promise<void> {
    return withSpan('mongodb insert logs', mongoSpan('insert'), () => this.insert(entry));
  }

  private async insert(entry: LoggedEntry): Promise<void> {
    const now = new Date();
    try {
      await this.logs.insertOne({
        name: entry.name,
        data: entry.data,
        ...(entry.event_id ? { event_id: entry.event_id } : {}),
        created_at: now,
        updated_at: now,
      });
    } catch (err) {
      if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) return;
      throw serviceUnavailable('MongoDB', err);
    }
  }
}
