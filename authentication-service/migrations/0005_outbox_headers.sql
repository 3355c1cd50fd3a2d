-- The request id and trace context of the request that wrote an event, sent on
-- with it, so a sign-up and its welcome mail are one trace (src/outbox/outbox-context.ts).

-- Up Migration
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS headers jsonb;
