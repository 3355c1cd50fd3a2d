-- Events stored in the transaction of the change they tell of, until the
-- publisher has sent them to RabbitMQ (src/outbox/outbox-store.ts).

-- Up Migration
CREATE TABLE IF NOT EXISTS outbox (
  id uuid PRIMARY KEY,
  routing_key varchar(255) NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  sent_at timestamp with time zone
);

-- The publisher looks only at what is not sent yet, oldest first.
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;
