-- fibertrack construction workflow: milestones, invoices, progress reports,
-- and the recorded history that lets any past date be reported again with
-- the same numbers.

CREATE TABLE milestones (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(200) NOT NULL,
    kind ENUM('funding_approval','tender_award','construction_start','civil_works_complete',
              'network_ready','interim_report','payment_request','completion_notice',
              'final_report','custom') NOT NULL DEFAULT 'custom',
    planned_date DATE NOT NULL,
    forecast_date DATE NULL,
    actual_date DATE NULL,
    funding_relevant TINYINT(1) NOT NULL DEFAULT 0,
    tranche_cents BIGINT NOT NULL DEFAULT 0,
    notes TEXT NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY milestones_project (project_id, planned_date),
    KEY milestones_updated (updated_at),
    CONSTRAINT milestones_project FOREIGN KEY (project_id) REFERENCES projects (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE invoices (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    lot_id BIGINT UNSIGNED NULL,
    contractor_id BIGINT UNSIGNED NOT NULL,
    number VARCHAR(64) NOT NULL,
    invoice_date DATE NOT NULL,
    category ENUM('civil_works','cabling','splicing','planning','materials','other') NOT NULL,
    net_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL DEFAULT 0,
    eligible_cents BIGINT NOT NULL DEFAULT 0,
    status ENUM('received','approved','paid') NOT NULL DEFAULT 'received',
    paid_date DATE NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY invoices_number (contractor_id, number),
    KEY invoices_project (project_id, invoice_date),
    KEY invoices_updated (updated_at),
    CONSTRAINT invoices_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT invoices_lot FOREIGN KEY (lot_id) REFERENCES lots (id),
    CONSTRAINT invoices_contractor FOREIGN KEY (contractor_id) REFERENCES contractors (id),
    CONSTRAINT invoices_eligible CHECK (eligible_cents >= 0 AND eligible_cents <= net_cents)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE progress_reports (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    segment_id BIGINT UNSIGNED NOT NULL,
    contractor_id BIGINT UNSIGNED NOT NULL,
    author_id BIGINT UNSIGNED NOT NULL,
    report_date DATE NOT NULL,
    built_length_m DECIMAL(12,2) NOT NULL,
    status ENUM('planned','permitted','in_construction','civil_done','cable_installed','spliced',
                'tested','accepted') NOT NULL,
    note TEXT NULL,
    state ENUM('submitted','approved','rejected') NOT NULL DEFAULT 'submitted',
    reviewer_id BIGINT UNSIGNED NULL,
    reviewed_at DATETIME(3) NULL,
    review_comment VARCHAR(1000) NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY progress_segment (segment_id, id),
    KEY progress_state (state, id),
    KEY progress_contractor (contractor_id, id),
    KEY progress_updated (updated_at),
    CONSTRAINT progress_segment FOREIGN KEY (segment_id) REFERENCES segments (id),
    CONSTRAINT progress_contractor FOREIGN KEY (contractor_id) REFERENCES contractors (id),
    CONSTRAINT progress_author FOREIGN KEY (author_id) REFERENCES users (id),
    CONSTRAINT progress_reviewer FOREIGN KEY (reviewer_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- History: one row per recorded change, written by triggers in the same
-- transaction as the change, whatever path made it (API, import, review).
-- A report "as of" a date reads the last row recorded before the end of that
-- date, so a later change never alters a past report. deleted = 1 marks the
-- end of an object.
CREATE TABLE segment_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    segment_id BIGINT UNSIGNED NOT NULL,
    project_id BIGINT UNSIGNED NOT NULL,
    lot_id BIGINT UNSIGNED NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    status VARCHAR(20) NOT NULL,
    method VARCHAR(20) NULL,
    planned_length_m DECIMAL(12,2) NOT NULL,
    built_length_m DECIMAL(12,2) NOT NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY segment_history_project (project_id, recorded_at),
    KEY segment_history_segment (segment_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE premise_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    premise_id BIGINT UNSIGNED NOT NULL,
    project_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    status VARCHAR(20) NOT NULL,
    white_spot TINYINT(1) NOT NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY premise_history_project (project_id, recorded_at),
    KEY premise_history_premise (premise_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE milestone_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    milestone_id BIGINT UNSIGNED NOT NULL,
    project_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    planned_date DATE NOT NULL,
    forecast_date DATE NULL,
    actual_date DATE NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY milestone_history_project (project_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE invoice_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    invoice_id BIGINT UNSIGNED NOT NULL,
    project_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    net_cents BIGINT NOT NULL,
    eligible_cents BIGINT NOT NULL,
    status VARCHAR(20) NOT NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY invoice_history_project (project_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER segments_history_insert AFTER INSERT ON segments FOR EACH ROW
    INSERT INTO segment_history (segment_id, project_id, lot_id, status, method, planned_length_m,
                                 built_length_m)
    VALUES (NEW.id, NEW.project_id, NEW.lot_id, NEW.status, NEW.method, NEW.planned_length_m,
            NEW.built_length_m);

CREATE TRIGGER segments_history_update AFTER UPDATE ON segments FOR EACH ROW
    INSERT INTO segment_history (segment_id, project_id, lot_id, status, method, planned_length_m,
                                 built_length_m)
    SELECT NEW.id, NEW.project_id, NEW.lot_id, NEW.status, NEW.method, NEW.planned_length_m,
           NEW.built_length_m
    FROM DUAL
    WHERE NOT (NEW.status <=> OLD.status AND NEW.method <=> OLD.method
               AND NEW.planned_length_m <=> OLD.planned_length_m
               AND NEW.built_length_m <=> OLD.built_length_m AND NEW.lot_id <=> OLD.lot_id);

CREATE TRIGGER segments_history_delete AFTER DELETE ON segments FOR EACH ROW
    INSERT INTO segment_history (segment_id, project_id, lot_id, status, method, planned_length_m,
                                 built_length_m, deleted)
    VALUES (OLD.id, OLD.project_id, OLD.lot_id, OLD.status, OLD.method, OLD.planned_length_m,
            OLD.built_length_m, 1);

CREATE TRIGGER premises_history_insert AFTER INSERT ON premises FOR EACH ROW
    INSERT INTO premise_history (premise_id, project_id, status, white_spot)
    VALUES (NEW.id, NEW.project_id, NEW.status, NEW.white_spot);

CREATE TRIGGER premises_history_update AFTER UPDATE ON premises FOR EACH ROW
    INSERT INTO premise_history (premise_id, project_id, status, white_spot)
    SELECT NEW.id, NEW.project_id, NEW.status, NEW.white_spot FROM DUAL
    WHERE NOT (NEW.status <=> OLD.status AND NEW.white_spot <=> OLD.white_spot);

CREATE TRIGGER premises_history_delete AFTER DELETE ON premises FOR EACH ROW
    INSERT INTO premise_history (premise_id, project_id, status, white_spot, deleted)
    VALUES (OLD.id, OLD.project_id, OLD.status, OLD.white_spot, 1);

CREATE TRIGGER milestones_history_insert AFTER INSERT ON milestones FOR EACH ROW
    INSERT INTO milestone_history (milestone_id, project_id, planned_date, forecast_date, actual_date)
    VALUES (NEW.id, NEW.project_id, NEW.planned_date, NEW.forecast_date, NEW.actual_date);

CREATE TRIGGER milestones_history_update AFTER UPDATE ON milestones FOR EACH ROW
    INSERT INTO milestone_history (milestone_id, project_id, planned_date, forecast_date, actual_date)
    VALUES (NEW.id, NEW.project_id, NEW.planned_date, NEW.forecast_date, NEW.actual_date);

CREATE TRIGGER milestones_history_delete AFTER DELETE ON milestones FOR EACH ROW
    INSERT INTO milestone_history (milestone_id, project_id, planned_date, forecast_date, actual_date,
                                   deleted)
    VALUES (OLD.id, OLD.project_id, OLD.planned_date, OLD.forecast_date, OLD.actual_date, 1);

CREATE TRIGGER invoices_history_insert AFTER INSERT ON invoices FOR EACH ROW
    INSERT INTO invoice_history (invoice_id, project_id, net_cents, eligible_cents, status)
    VALUES (NEW.id, NEW.project_id, NEW.net_cents, NEW.eligible_cents, NEW.status);

CREATE TRIGGER invoices_history_update AFTER UPDATE ON invoices FOR EACH ROW
    INSERT INTO invoice_history (invoice_id, project_id, net_cents, eligible_cents, status)
    VALUES (NEW.id, NEW.project_id, NEW.net_cents, NEW.eligible_cents, NEW.status);

CREATE TRIGGER invoices_history_delete AFTER DELETE ON invoices FOR EACH ROW
    INSERT INTO invoice_history (invoice_id, project_id, net_cents, eligible_cents, status, deleted)
    VALUES (OLD.id, OLD.project_id, OLD.net_cents, OLD.eligible_cents, OLD.status, 1);
