-- The counts of logins and sign-ups (src/login/rate-limits.ts): rate-limiter-flexible's
-- Postgres table, with `key` as text, since its varchar(255) would not hold every prefixed email.

-- Up Migration
CREATE TABLE IF NOT EXISTS login_limits (
  key text PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
