import { inject } from 'vitest';
import type { MongoServer } from './ferretdb.js';
import { mailCatcherClient } from './mail-catcher-client.js';
import type { SharedMailCatcher } from './mail-catcher.js';

/** Where the run's one Mailpit listens, as global-setup.ts hands it to the tests. */
export interface MailCatcherAddress {
  smtpHost: string;
  smtpPort: number;
  apiUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    sharedFerretDB: MongoServer;
    sharedMailCatcher: MailCatcherAddress;
  }
}

/**
 * The FerretDB every test of the run shares (started once, by global-setup.ts).
 * Make your own data (unique names) and never drop what is there.
 */
export function sharedFerretDB(): MongoServer {
  return inject('sharedFerretDB');
}

/**
 * The Mailpit every test of the run shares (started once, by global-setup.ts).
 * Send to unique recipients or subjects; it cannot be emptied from here.
 */
export function sharedMailCatcher(): SharedMailCatcher {
  const { smtpHost, smtpPort, apiUrl } = inject('sharedMailCatcher');
  return { ...mailCatcherClient(apiUrl), smtpHost, smtpPort };
}
