import { buildTools } from './tool-binary.js';

/**
 * Vitest global setup: builds FerretDB and Mailpit once, before any test, since
 * the first build takes minutes, longer than any hook timeout. Later runs find
 * the binaries in the cache and return at once.
 */
export default async function setup(): Promise<void> {
  await buildTools();
}
