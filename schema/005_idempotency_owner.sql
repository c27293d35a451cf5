-- A claimed Idempotency-Key names the MariaDB server (host:port and the
-- time it started) as well as the connection that claimed it: connection
-- ids start again from 1 when the server restarts, so an id alone could
-- point at a stranger's connection and keep the key blocked.
ALTER TABLE idempotency_keys
    ADD COLUMN owner_node VARCHAR(128) NULL AFTER owner_conn,
    ADD COLUMN owner_boot BIGINT NULL AFTER owner_node;
