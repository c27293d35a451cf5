-- The server purges expired idempotency keys, old failed sign-ins and
-- tokens revoked or expired long ago in small batches (DELETE ... LIMIT).
-- Each batch must find its rows through an index on the time column, or it
-- would scan, and lock, the whole table. idempotency_keys has one already
-- (idempotency_created).
ALTER TABLE login_failures ADD KEY login_failures_at (at);
ALTER TABLE tokens
    ADD KEY tokens_revoked (revoked_at),
    ADD KEY tokens_expires (expires_at);
