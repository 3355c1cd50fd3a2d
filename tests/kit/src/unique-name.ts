import { randomUUID } from 'node:crypto';

/** A name no other test uses (log names, request ids, recipients), so tests share servers safely. */
export const uniqueName = (prefix = 'test') => `${prefix}-${randomUUID()}`;
