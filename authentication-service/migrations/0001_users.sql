-- The course's users table. IF NOT EXISTS: a database made before migrations
-- (by the stores' start-up code) has it already, and this records it as done.

-- Up Migration
CREATE TABLE IF NOT EXISTS users (
  id serial PRIMARY KEY,
  email varchar(255) NOT NULL,
  first_name varchar(255),
  last_name varchar(255),
  password varchar(60) NOT NULL,
  user_active integer NOT NULL DEFAULT 0,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users (email);

-- Logins look an email up whatever its case. Not unique: a table of an earlier version may hold
-- two addresses that differ only in case, and both keep logging in; sign-ups take a lock instead.
CREATE INDEX IF NOT EXISTS users_email_lower_idx ON users (lower(email));
