-- The audit trail is append-only for everyone who connects, not only for
-- the API: changing or removing an entry fails in the database itself.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit entries are append-only';

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit entries are append-only';

-- The review queue and a contractor's filtered segment lists.
CREATE INDEX segments_lot_status ON segments (lot_id, status, id);
