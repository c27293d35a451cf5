-- A segment's location in words (the street it runs along), which the
-- segment search looks in, and its acceptance (Abnahme): the day, who
-- accepted it and the protocol note. Acceptance is recorded only by
-- POST /api/v1/segments/{id}/accept; moving a segment back from accepted
-- clears it.
ALTER TABLE segments
    ADD COLUMN street VARCHAR(200) NULL AFTER code,
    ADD COLUMN accepted_on DATE NULL,
    ADD COLUMN accepted_by BIGINT UNSIGNED NULL,
    ADD COLUMN acceptance_note VARCHAR(2000) NULL,
    ADD KEY segments_street (project_id, street),
    ADD CONSTRAINT segments_accepted_by FOREIGN KEY (accepted_by) REFERENCES users (id);

ALTER TABLE audit_log MODIFY action
    ENUM('create','update','delete','approve','reject','import','login','logout','accept') NOT NULL;
