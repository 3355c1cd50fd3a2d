import { ObjectId, type Collection, type Filter, type MongoClient } from 'mongodb';
import { serviceUnavailable, withSpan } from '@go-micro/toolkit';
import { mongoSpan, type LogDocument } from './logs-store.js';

/** An entry as the dashboard shows it. */
export interface StoredEntry extends LogDocument {
  id: string;
}

export interface EntriesPage {
  entries: StoredEntry[];
  total: number;
}

/**
 * The logs collection as the admin dashboard reads and changes it: a page of
 * entries newest first, filtered by exact name; one entry; its timestamp
 * updated; all of them deleted. Only queries FerretDB 1.x (which the tests
 * use) and MongoDB both answer: sort, skip, limit, equality, updateOne, deleteMany.
 */
export class LogsAdminStore {
  private readonly logs: Collection<LogDocument>;

  constructor(client: MongoClient) {
    this.logs = client.db('logs').collection<LogDocument>('logs');
  }

  async page({ name, page, pageSize }: { name?: string | undefined; page: number; pageSize: number }): Promise<EntriesPage> {
    const filter: Filter<LogDocument> = name ? { name } : {};
    return guard('find', async () => {
      const [documents, total] = await Promise.all([
        this.logs.find(filter).sort({ created_at: -1, _id: -1 }).skip((page - 1) * pageSize).limit(pageSize).toArray(),
        this.logs.countDocuments(filter),
      ]);
      return { entries: documents.map(({ _id, ...entry }) => ({ id: _id.toHexString(), ...entry })), total };
    });
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
