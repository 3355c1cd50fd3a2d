import type { TestProject } from 'vitest/node';
import { startFerretDB } from './ferretdb.js';
import { startMailCatcher } from './mail-catcher.js';
import type {} from './shared-servers.js'; // the types of what is provided
import { buildTools } from './tool-binary.js';

/**
 * Vitest global setup: builds FerretDB and Mailpit once, before any test
 * (the first build takes minutes, longer than any hook timeout; later runs
 * find the binaries in the cache), then starts one of each for the whole run
 * and hands their addresses to the tests (shared-servers.ts). A test that
 * stops or breaks its server starts one of its own instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildTools('ferretdb', 'mailpit');
  const [mongo, mail] = await Promise.all([startFerretDB(), startMailCatcher()]);
  project.provide('sharedFerretDB', { url: mongo.url, host: mongo.host, port: mongo.port });
  project.provide('sharedMailCatcher', { smtpHost: mail.smtpHost, smtpPort: mail.smtpPort, apiUrl: mail.apiUrl });
  return async () => {
    await Promise.allSettled([mongo.stop(), mail.stop()]);
  };
}
