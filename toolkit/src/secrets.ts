import { poolConfigFromDsn } from './postgres-dsn.js';

/**
 * Whether a credential may be used in production (DEPLOY_ENV=production). Two
 * ways to be unfit: a value written somewhere in this repository (anyone can
 * read it), or one too easy to guess. A key (TOKEN_SECRET, SESSION_SECRET) is
 * only ever typed by a machine, so it must be long and random; a password a
 * person may have chosen gets a lower bar.
 */
export type CredentialKind = 'key' | 'password';

/**
 * Values written in this repository (the course's, the compose files', the CI's,
 * the docs' examples, the tests'): public, whatever their length. The deployment
 * check (project/checks/credentials.test.ts) fails when a deployment file holds a
 * credential that is neither here nor refused as too easy to guess.
 */
export const KNOWN_VALUES: readonly string[] = [
  // The course's: Postgres and MongoDB (docker-compose.yml, swarm.yml), the seeded admin, RabbitMQ's default user.
  'password',
  'verysecret',
  'secret',
  'guest',
  'admin',
  'postgres',
  // The old project/k8s/secrets.yml, and docker-compose.yml and swarm.yml for development.
  'dev-only-token-secret-change-me-in-production',
  'dev-only-session-secret-change-me-in-production',
  // .github/workflows/ci.yml, and the examples of the docs and deployment files.
  'ci',
  'a long password of yours',
  // The services' tests.
  'a-test-secret-of-more-than-32-characters',
  'another-secret-of-more-than-32-characters',
  'a-test-session-secret-of-32-characters-or-more',
];

interface Bar {
  minChars: number;
  minDistinct: number;
  /** Bits by length and kinds of characters, the estimate of `estimatedBits`. */
  minBits: number;
}

const BARS: Record<CredentialKind, Bar> = {
  // 32 random characters or more: what `openssl rand -hex 32` and create-secrets.sh make.
  key: { minChars: 32, minDistinct: 10, minBits: 128 },
  // The admin's password, a database's: a person may choose them, and the service still refuses the guessable.
  password: { minChars: 12, minDistinct: 6, minBits: 50 },
};

/** Why `value` must not be used in production as a `kind`, or undefined when nothing speaks against it. */
export function unfitForProduction(value: string, kind: CredentialKind): string | undefined {
  const known = knownValueIn(value);
  if (known !== undefined) return `is written in this repository ("${known}"), so anyone can read it`;
  const bar = BARS[kind];
  const chars = [...value];
  if (chars.length < bar.minChars) return `is shorter than ${bar.minChars} characters`;
  const distinct = new Set(chars).size;
  if (distinct < bar.minDistinct) return `has only ${distinct} different characters; at least ${bar.minDistinct}`;
  if (repeatsAPattern(chars)) return 'repeats a pattern (the same or consecutive characters, or one part over and over)';
  const bits = Math.floor(estimatedBits(value));
  if (bits < bar.minBits) return `is too easy to guess: about ${bits} bits by its length and kinds of characters; at least ${bar.minBits}`;
  return undefined;
}

/** The known value `value` is, or is made from (a case changed, digits or symbols added at the end, a long one inside it). */
function knownValueIn(value: string): string | undefined {
  const lower = value.trim().toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/u, '');
  return KNOWN_VALUES.find((known) => lower === known || stem === known || (known.length >= 16 && lower.includes(known)));
}

/**
 * True for "aaaa…", "abcdef…", "13579…" and "xyzxyzxyz…": the whole value one part
 * repeated, or at least half of it in runs where each character steps from the
 * last by the same small step (-2 to 2).
 */
function repeatsAPattern(chars: string[]): boolean {
  const value = chars.join('');
  if (/^(.+?)\1+$/su.test(value)) return true;
  const codes = chars.map((c) => c.codePointAt(0)!);
  let inRuns = 0;
  for (let i = 2; i < codes.length; i++) {
    const step = codes[i]! - codes[i - 1]!;
    if (Math.abs(step) <= 2 && step === codes[i - 1]! - codes[i - 2]!) inRuns++;
  }
  return inRuns * 2 >= codes.length;
}

/** Length times the bits of one character drawn from every kind of character the value uses: an upper bound, and enough to spot the weak. */
export function estimatedBits(value: string): number {
  const kinds: [RegExp, number][] = [
    [/[a-z]/u, 26],
    [/[A-Z]/u, 26],
    [/[0-9]/u, 10],
    [/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/u, 33],
    // eslint-disable-next-line no-control-regex
    [/[^\x00-\x7f]/u, 100],
  ];
  const pool = kinds.reduce((sum, [kind, size]) => sum + (kind.test(value) ? size : 0), 0);
  return pool === 0 ? 0 : [...value].length * Math.log2(pool);
}

/**
 * The password in a URL's user part (amqp://user:password@host), decoded; when it
 * has none, `fallback` (RabbitMQ's client logs in as guest/guest without one).
 */
export function passwordInUrl(url: string, fallback?: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : fallback;
  } catch {
    return undefined;
  }
}

/** The password of a DSN in either form the services take (key=value or postgres://), if it has one. */
export function passwordInDsn(dsn: string): string | undefined {
  try {
    const config = poolConfigFromDsn(dsn);
    return config.connectionString === undefined ? config.password || undefined : passwordInUrl(config.connectionString);
  } catch {
    return undefined;
  }
}
