-- Up Migration
-- POST /users is safe to retry: a client-chosen key and a digest of the request it first came with.
ALTER TABLE users
  ADD COLUMN idempotency_key text,
  ADD COLUMN request_digest text,
  -- The constraint, not a read-then-write check, makes concurrent retries create one user.
  ADD CONSTRAINT users_idempotency_key_key UNIQUE (idempotency_key),
  ADD CONSTRAINT users_idempotency_pair CHECK ((idempotency_key IS NULL) = (request_digest IS NULL));

-- Down Migration
ALTER TABLE users DROP COLUMN idempotency_key, DROP COLUMN request_digest;
