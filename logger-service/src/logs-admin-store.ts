import { MongoServerError, ObjectId, type Collection, type Filter, type MongoClient } from 'mongodb';
import { serviceUnavailable, withSpan } from '@go-micro/toolkit';
import { mongoSpan, type LogDocument } from './logs-store.js';

/** An entry as the dashboard shows it. */
export interface StoredEntry extends LogDocument {
  id: string;
}

export interface EntriesPage {
  entries: StoredEntry[];
  /** How many entries there are; with `more`, the count stopped here and there are more. */
  total: number;
  more: boolean;
}

/** MongoDB's code for a collection that does not exist (yet). */
const NAMESPACE_NOT_FOUND = 26;

/**
 * The logs collection as the admin dashboard reads and changes it: a page of
 * entries newest first, filtered by exact name; one entry; its timestamp
 * updated; all of them deleted. Only queries FerretDB 1.x (which the tests
 * use) and MongoDB both answer: sort, skip, limit, equality, updateOne,
 * deleteMany, countDocuments with a limit, $collStats.
 *
 * Counting stays cheap however many entries there are: all of them from the
 * collection's statistics, the entries of one name only up to `countCap`.
 */
export class LogsAdminStore {
  private readonly logs: Collection<LogDocument>;
  private readonly countCap: number;

  constructor(client: MongoClient, options: { countCap?: number } = {}) {
    this.logs = client.db('logs').collection<LogDocument>('logs');
    this.countCap = options.countCap ?? 10_000;
  }

  async page({ name, page, pageSize }: { name?: string | undefined; page: number; pageSize: number }): Promise<EntriesPage> {
    return guard('find', async () => {
      const [documents, counted] = await Promise.all([
        this.logs.find(name ? { name } : {}).sort({ created_at: -1, _id: -1 }).skip((page - 1) * pageSize).limit(pageSize).toArray(),
        name ? this.countNamed(name) : this.countAll().then((total) => ({ total, more: false })),
      ]);
      return { entries: documents.map(({ _id, ...entry }) => ({ id: _id.toHexString(), ...entry })), ...counted };
    });
  }

  /** How many entries there are in all. */
  async total(): Promise<number> {
    return guard('aggregate', () => this.countAll());
  }

  /**
   * From the collection's statistics: estimatedDocumentCount's `count` command
   * reads MongoDB's metadata but makes FerretDB 1.x decode every entry, while
   * $collStats is metadata on both (on FerretDB, SQLite's page statistics).
   */
  private async countAll(): Promise<number> {
    try {
      const shards = await this.logs.aggregate<{ count?: number }>([{ $collStats: { count: {} } }]).toArray();
      return shards.reduce((sum, { count = 0 }) => sum + count, 0);
    } catch (err) {
      if (err instanceof MongoServerError && err.code === NAMESPACE_NOT_FOUND) return 0;
      throw err;
    }
  }

  /** Counted one by one, so it stops at the cap: past it the page says "10,000+". */
  private async countNamed(name: string): Promise<{ total: number; more: boolean }> {
    const counted = await this.logs.countDocuments({ name } satisfies Filter<LogDocument>, { limit: this.countCap + 1 });
    return { total: Math.min(counted, this.countCap), more: counted > this.countCap };
  }

  async get(id: string): Promise<StoredEntry | undefined> {
    if (!ObjectId.isValid(id)) return undefined;
    const document = await guard('find', () => this.logs.findOne({ _id: new ObjectId(id) }));
    if (!document) return undefined;
    const { _id, ...entry } = document;
    return { id: _id.toHexString(), ...entry };
  }

  /** Sets updated_at to now, as the course's UpdateOne did; false when there is no such entry. */
  async touch(id: string): Promise<boolean> {
    if (!ObjectId.isValid(id)) return false;
    const { matchedCount } = await guard('update', () => this.logs.updateOne({ _id: new ObjectId(id) }, { $set: { updated_at: new Date() } }));
    return matchedCount === 1;
  }

  /** Deletes every entry, as the course's DropCollection did, but keeps the collection and its indexes. */
  async deleteAll(): Promise<number> {
    const { deletedCount } = await guard('delete', () => this.logs.deleteMany({}));
    return deletedCount;
  }
}

async function guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
  return withSpan(`mongodb ${operation} logs`, mongoSpan(operation), () => guarded(work));
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw serviceUnavailable('MongoDB', err);
  }
}
