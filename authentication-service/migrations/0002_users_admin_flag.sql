-- Who may use the users API. Added to a table of an earlier version in place;
-- when the column is new, the seeded admin becomes an admin: it is the account
-- the course gave everyone, and the one that logs in to the dashboard.

-- Up Migration
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'is_admin'
  ) THEN
    ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false;
    UPDATE users SET is_admin = true WHERE email = 'admin@example.com';
  END IF;
END
$$;
