import { MongoClient, type Filter } from 'mongodb';

/** An entry as logger-service stores it in logs.logs (the course's shape, plus the event id of a RabbitMQ event). */
export interface StoredEntry {
  name: string;
  data: string;
  event_id?: string;
  created_at: Date;
  updated_at: Date;
}

/** Reads what the logger stored, straight from MongoDB, as a person checking the system would. */
export class StoredLogs {
  private readonly client: MongoClient;

  constructor(mongoUrl: string) {
    this.client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  }

  entries(filter: Filter<StoredEntry>): Promise<StoredEntry[]> {
    return this.client.db('logs').collection<StoredEntry>('logs').find(filter).toArray();
  }

  /** How many entries each of `names` has (0 for none). */
  async countsByName(names: string[]): Promise<number[]> {
    const counts = new Map<string, number>();
    for (const entry of await this.entries({ name: { $in: names } })) counts.set(entry.name, (counts.get(entry.name) ?? 0) + 1);
    return names.map((name) => counts.get(name) ?? 0);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
