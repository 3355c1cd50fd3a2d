/** The settings of node-postgres's Pool that a DSN sets (structurally pg's PoolConfig, without depending on pg). */
export interface PoolConfig {
  connectionString?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  connectionTimeoutMillis?: number;
  options?: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
}

/**
 * Turns the course's DSN into pg settings. Both forms work:
 *   host=postgres port=5432 user=postgres password=password dbname=users sslmode=disable timezone=UTC connect_timeout=5
 *   postgres://postgres:password@postgres:5432/users?sslmode=disable
 */
export function poolConfigFromDsn(dsn: string): PoolConfig {
  const trimmed = dsn.trim();
  if (/^postgres(ql)?:\/\//.test(trimmed)) return { connectionString: trimmed };
  return fromKeyValue(parseKeyValue(trimmed));
}

/** libpq's key=value syntax: values may be single-quoted, with \' and \\ escapes inside. */
export function parseKeyValue(dsn: string): Map<string, string> {
  const settings = new Map<string, string>();
  let rest = dsn.trim();
  while (rest !== '') {
    const match = /^([A-Za-z_]+)\s*=\s*(?:'((?:\\.|[^'\\])*)'|(\S*))\s*/.exec(rest);
    if (!match) throw new Error(`cannot read DSN near "${rest.slice(0, 20)}"`);
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
    settings.set(match[1]!.toLowerCase(), value);
    rest = rest.slice(match[0].length);
  }
  return settings;
}

function fromKeyValue(settings: Map<string, string>): PoolConfig {
  const config: PoolConfig = {};
  const host = settings.get('host');
  if (host) config.host = host;
  const port = settings.get('port');
  if (port) config.port = Number(port);
  const user = settings.get('user');
  if (user) config.user = user;
  const password = settings.get('password');
  if (password !== undefined) config.password = password;
  const database = settings.get('dbname');
  if (database) config.database = database;
  const connectTimeout = settings.get('connect_timeout');
  if (connectTimeout) config.connectionTimeoutMillis = Number(connectTimeout) * 1000;
  const timezone = settings.get('timezone');
  if (timezone) config.options = `-c TimeZone=${timezone}`;
  const sslmode = settings.get('sslmode') ?? 'disable';
  if (sslmode === 'require' || sslmode === 'prefer') config.ssl = { rejectUnauthorized: false };
  else if (sslmode === 'verify-ca' || sslmode === 'verify-full') config.ssl = true;
  return config;
}

/** True when `dsn` can be read; for config schemas. */
export function readableDsn(dsn: string): boolean {
  try {
    poolConfigFromDsn(dsn);
    return true;
  } catch {
    return false;
  }
}
