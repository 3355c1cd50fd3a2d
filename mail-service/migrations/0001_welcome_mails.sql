-- Which user.registered events have had their welcome mail (src/welcome-store.ts).
-- IF NOT EXISTS: a database made before migrations (by the store's start-up code)
-- has it already, and this records it as done.

-- Up Migration
CREATE TABLE IF NOT EXISTS welcome_mails (
  event_id varchar(128) PRIMARY KEY,
  email varchar(255) NOT NULL,
  sent_at timestamp with time zone
);
