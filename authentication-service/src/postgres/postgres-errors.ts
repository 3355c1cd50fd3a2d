import { gatewayTimeout, HttpError, serviceUnavailable } from '@go-micro/toolkit';

/**
 * A failed query in the one mapping of dependency failures: Postgres that
 * cannot be reached, refuses connections or is shutting down is 503 "Postgres
 * is unavailable", one that does not answer in time 504; the driver's words
 * (with addresses) stay in the cause, for the log. Anything else is a bug of
 * ours and stays a 500.
 */
export function postgresFailure(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  const { code, message = '' } = err as { code?: string; message?: string };
  if (/timeout|timed out/i.test(message)) return gatewayTimeout('Postgres', err);
  // SQLSTATE 08 connection exception, 28 login refused, 3D no such database, 53 insufficient resources,
  // 57 operator intervention (shutting down); Node's socket errors (ECONNREFUSED ...).
  if (code && /^(08|28|3D|53|57)|^E[A-Z]+$/.test(code)) return serviceUnavailable('Postgres', err);
  if (/terminat|connect|closed|ended/i.test(message)) return serviceUnavailable('Postgres', err);
  return err;
}
