-- Funding finance: the budget plan (Finanzierungsplan) per cost category and
-- year, the drawdowns (Mittelabrufe) requested from and paid by the funding
-- agencies, and the manager's narrative per period (Sachbericht). Each keeps
-- a full-row history, so a workbook for a past moment (a submitted drawdown's
-- requested_at) reads every value as it was then.

CREATE TABLE budget_lines (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    category ENUM('civil_works','cabling','splicing','planning','materials','other') NOT NULL,
    year SMALLINT UNSIGNED NOT NULL,
    planned_cents BIGINT NOT NULL,
    note VARCHAR(2000) NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY budget_lines_line (project_id, category, year),
    KEY budget_lines_updated (updated_at),
    CONSTRAINT budget_lines_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT budget_lines_planned CHECK (planned_cents >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- number is given by the server on create (1, 2, ... per project, under a
-- lock on the project row), hence NULL for the moment between insert and
-- numbering in the same transaction.
CREATE TABLE drawdowns (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    number INT UNSIGNED NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    federal_requested_cents BIGINT NOT NULL DEFAULT 0,
    state_requested_cents BIGINT NOT NULL DEFAULT 0,
    note VARCHAR(2000) NULL,
    state ENUM('draft','submitted','received') NOT NULL DEFAULT 'draft',
    requested_at DATETIME(3) NULL,
    received_at DATE NULL,
    federal_received_cents BIGINT NULL,
    state_received_cents BIGINT NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY drawdowns_number (project_id, number),
    KEY drawdowns_updated (updated_at),
    CONSTRAINT drawdowns_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT drawdowns_forwards CHECK (period_from <= period_to),
    CONSTRAINT drawdowns_amounts CHECK (federal_requested_cents >= 0 AND state_requested_cents >= 0
        AND COALESCE(federal_received_cents, 0) >= 0 AND COALESCE(state_received_cents, 0) >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE report_notes (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    text TEXT NOT NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY report_notes_once (project_id, period_from, period_to),
    KEY report_notes_updated (updated_at),
    CONSTRAINT report_notes_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT report_notes_forwards CHECK (period_from <= period_to)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE budget_line_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    budget_line_id BIGINT UNSIGNED NOT NULL,
    project_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    category VARCHAR(20) NOT NULL,
    year SMALLINT UNSIGNED NOT NULL,
    planned_cents BIGINT NOT NULL,
    note VARCHAR(2000) NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY budget_line_history_project (project_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE drawdown_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    drawdown_id BIGINT UNSIGNED NOT NULL,
    project_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    number INT UNSIGNED NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    federal_requested_cents BIGINT NOT NULL,
    state_requested_cents BIGINT NOT NULL,
    note VARCHAR(2000) NULL,
    state VARCHAR(20) NOT NULL,
    requested_at DATETIME(3) NULL,
    received_at DATE NULL,
    federal_received_cents BIGINT NULL,
    state_received_cents BIGINT NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY drawdown_history_project (project_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE report_note_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    report_note_id BIGINT UNSIGNED NOT NULL,
    project_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    text TEXT NOT NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY report_note_history_project (project_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER budget_lines_history_insert AFTER INSERT ON budget_lines FOR EACH ROW
    INSERT INTO budget_line_history (budget_line_id, project_id, category, year, planned_cents, note)
    VALUES (NEW.id, NEW.project_id, NEW.category, NEW.year, NEW.planned_cents, NEW.note);

CREATE TRIGGER budget_lines_history_update AFTER UPDATE ON budget_lines FOR EACH ROW
    INSERT INTO budget_line_history (budget_line_id, project_id, category, year, planned_cents, note)
    VALUES (NEW.id, NEW.project_id, NEW.category, NEW.year, NEW.planned_cents, NEW.note);

CREATE TRIGGER budget_lines_history_delete AFTER DELETE ON budget_lines FOR EACH ROW
    INSERT INTO budget_line_history (budget_line_id, project_id, category, year, planned_cents, note,
                                     deleted)
    VALUES (OLD.id, OLD.project_id, OLD.category, OLD.year, OLD.planned_cents, OLD.note, 1);

CREATE TRIGGER drawdowns_history_insert AFTER INSERT ON drawdowns FOR EACH ROW
    INSERT INTO drawdown_history (drawdown_id, project_id, number, period_from, period_to,
                                  federal_requested_cents, state_requested_cents, note, state,
                                  requested_at, received_at, federal_received_cents,
                                  state_received_cents)
    VALUES (NEW.id, NEW.project_id, NEW.number, NEW.period_from, NEW.period_to,
            NEW.federal_requested_cents, NEW.state_requested_cents, NEW.note, NEW.state,
            NEW.requested_at, NEW.received_at, NEW.federal_received_cents, NEW.state_received_cents);

CREATE TRIGGER drawdowns_history_update AFTER UPDATE ON drawdowns FOR EACH ROW
    INSERT INTO drawdown_history (drawdown_id, project_id, number, period_from, period_to,
                                  federal_requested_cents, state_requested_cents, note, state,
                                  requested_at, received_at, federal_received_cents,
                                  state_received_cents)
    VALUES (NEW.id, NEW.project_id, NEW.number, NEW.period_from, NEW.period_to,
            NEW.federal_requested_cents, NEW.state_requested_cents, NEW.note, NEW.state,
            NEW.requested_at, NEW.received_at, NEW.federal_received_cents, NEW.state_received_cents);

CREATE TRIGGER drawdowns_history_delete AFTER DELETE ON drawdowns FOR EACH ROW
    INSERT INTO drawdown_history (drawdown_id, project_id, number, period_from, period_to,
                                  federal_requested_cents, state_requested_cents, note, state,
                                  requested_at, received_at, federal_received_cents,
                                  state_received_cents, deleted)
    VALUES (OLD.id, OLD.project_id, OLD.number, OLD.period_from, OLD.period_to,
            OLD.federal_requested_cents, OLD.state_requested_cents, OLD.note, OLD.state,
            OLD.requested_at, OLD.received_at, OLD.federal_received_cents, OLD.state_received_cents, 1);

CREATE TRIGGER report_notes_history_insert AFTER INSERT ON report_notes FOR EACH ROW
    INSERT INTO report_note_history (report_note_id, project_id, period_from, period_to, text)
    VALUES (NEW.id, NEW.project_id, NEW.period_from, NEW.period_to, NEW.text);

CREATE TRIGGER report_notes_history_update AFTER UPDATE ON report_notes FOR EACH ROW
    INSERT INTO report_note_history (report_note_id, project_id, period_from, period_to, text)
    VALUES (NEW.id, NEW.project_id, NEW.period_from, NEW.period_to, NEW.text);

CREATE TRIGGER report_notes_history_delete AFTER DELETE ON report_notes FOR EACH ROW
    INSERT INTO report_note_history (report_note_id, project_id, period_from, period_to, text,
                                     deleted)
    VALUES (OLD.id, OLD.project_id, OLD.period_from, OLD.period_to, OLD.text, 1);

ALTER TABLE audit_log MODIFY action
    ENUM('create','update','delete','approve','reject','import','login','logout','accept',
         'submit','receive') NOT NULL;
