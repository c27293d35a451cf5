-- A replayed answer carries the ETag of the first one too.
ALTER TABLE idempotency_keys ADD COLUMN etag VARCHAR(64) NULL AFTER location;
