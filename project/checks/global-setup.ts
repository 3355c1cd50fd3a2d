import { buildValidators } from './validators.js';

/** Builds every validator once, before the test files run in parallel (no timeout here). */
export default async function setup(): Promise<void> {
  await buildValidators();
}
