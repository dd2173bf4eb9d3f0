-- Up Migration
CREATE TABLE orders (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- users live in user-service's own database; the reference is checked over HTTP at creation.
  user_id integer NOT NULL CHECK (user_id > 0),
  total numeric(12, 2) NOT NULL CHECK (total >= 0),
  status text NOT NULL DEFAULT 'created',
  -- Client-chosen retry key and a digest of the request it first came with.
  idempotency_key text,
  request_digest text,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The constraint, not a read-then-write check, makes concurrent retries create one order.
  CONSTRAINT orders_idempotency_key_key UNIQUE (idempotency_key),
  CONSTRAINT orders_idempotency_pair CHECK ((idempotency_key IS NULL) = (request_digest IS NULL))
);

CREATE INDEX orders_user_id_idx ON orders (user_id, id);

-- Down Migration
DROP TABLE orders;
