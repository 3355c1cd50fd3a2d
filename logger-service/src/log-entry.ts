import { z } from 'zod';

/** What every way in (REST, JSON-RPC, gRPC) accepts, checked the same way. */
export const logEntryInput = z.object({
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(256, { error: 'must be at most 256 characters' }),
  data: z.string({ error: 'must be a string' }).max(64 * 1024, { error: 'must be at most 64 KiB' }),
  /** The event's own id (the AMQP message id, set by the broker); an entry with an id already stored is not stored again. */
  event_id: z
    .string({ error: 'must be a string' })
    .regex(/^[\w.:-]{1,128}$/, { error: 'must be 1-128 letters, digits or . _ : -' })
    .optional(),
});

export type LogEntryInput = z.output<typeof logEntryInput>;

/** Where entries are written: the logs collection, in production. */
export interface LogWriter {
  write(entry: LogEntryInput): Promise<void>;
}
