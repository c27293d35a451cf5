-- As-of is complete: every value a workbook shows comes from recorded
-- history, so a workbook for a past date (or a submitted drawdown's
-- requested_at) is the same whatever was edited since. The history tables
-- of schema 002 recorded only the figures (lengths, status, dates, amounts);
-- here they record the whole row a workbook reads, and projects, lots and
-- contractors get a history of their own.
--
-- Rows recorded before this migration get the new columns from the current
-- rows: the best available truth for the past. The new tables start with
-- one row per existing object dated 1000-01-01, the earliest DATETIME, so
-- that the current state stands for every earlier date.

ALTER TABLE milestone_history
    ADD COLUMN name VARCHAR(200) NULL,
    ADD COLUMN kind VARCHAR(32) NULL,
    ADD COLUMN funding_relevant TINYINT(1) NOT NULL DEFAULT 0,
    ADD COLUMN tranche_cents BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN notes TEXT NULL;

UPDATE milestone_history h JOIN milestones m ON m.id = h.milestone_id
SET h.name = m.name, h.kind = m.kind, h.funding_relevant = m.funding_relevant,
    h.tranche_cents = m.tranche_cents, h.notes = m.notes;

ALTER TABLE invoice_history
    ADD COLUMN number VARCHAR(64) NULL,
    ADD COLUMN invoice_date DATE NULL,
    ADD COLUMN contractor_id BIGINT UNSIGNED NULL,
    ADD COLUMN lot_id BIGINT UNSIGNED NULL,
    ADD COLUMN category VARCHAR(20) NULL,
    ADD COLUMN vat_cents BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN paid_date DATE NULL;

UPDATE invoice_history h JOIN invoices i ON i.id = h.invoice_id
SET h.number = i.number, h.invoice_date = i.invoice_date, h.contractor_id = i.contractor_id,
    h.lot_id = i.lot_id, h.category = i.category, h.vat_cents = i.vat_cents,
    h.paid_date = IF(h.status = 'paid', i.paid_date, NULL);

-- The actual dates are set with the first move into in_construction and
-- into tested: a row recorded before that move gets none.
ALTER TABLE segment_history
    ADD COLUMN code VARCHAR(64) NULL,
    ADD COLUMN kind VARCHAR(20) NULL,
    ADD COLUMN surface VARCHAR(20) NULL,
    ADD COLUMN planned_start DATE NULL,
    ADD COLUMN planned_end DATE NULL,
    ADD COLUMN actual_start DATE NULL,
    ADD COLUMN actual_end DATE NULL;

UPDATE segment_history h JOIN segments s ON s.id = h.segment_id
SET h.code = s.code, h.kind = s.kind, h.surface = s.surface, h.planned_start = s.planned_start,
    h.planned_end = s.planned_end,
    h.actual_start = IF(h.status IN ('in_construction', 'civil_done', 'cable_installed', 'spliced',
                                     'tested', 'accepted'), s.actual_start, NULL),
    h.actual_end = IF(h.status IN ('tested', 'accepted'), s.actual_end, NULL);

-- A status date is known only once the premise has reached that status.
ALTER TABLE premise_history
    ADD COLUMN code VARCHAR(64) NULL,
    ADD COLUMN street VARCHAR(200) NULL,
    ADD COLUMN house_number VARCHAR(20) NULL,
    ADD COLUMN postcode VARCHAR(10) NULL,
    ADD COLUMN city VARCHAR(100) NULL,
    ADD COLUMN kind VARCHAR(20) NULL,
    ADD COLUMN serving_segment_id BIGINT UNSIGNED NULL,
    ADD COLUMN passed_date DATE NULL,
    ADD COLUMN connected_date DATE NULL,
    ADD COLUMN activated_date DATE NULL,
    ADD COLUMN excluded_date DATE NULL;

UPDATE premise_history h JOIN premises p ON p.id = h.premise_id
SET h.code = p.code, h.street = p.street, h.house_number = p.house_number,
    h.postcode = p.postcode, h.city = p.city, h.kind = p.kind,
    h.serving_segment_id = p.serving_segment_id,
    h.passed_date = IF(h.status = 'passed', p.passed_date, NULL),
    h.connected_date = IF(h.status = 'connected', p.connected_date, NULL),
    h.activated_date = IF(h.status = 'activated', p.activated_date, NULL),
    h.excluded_date = IF(h.status = 'excluded', p.excluded_date, NULL);

CREATE TABLE project_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    code VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    municipality VARCHAR(200) NOT NULL,
    funding_programme VARCHAR(200) NULL,
    grant_reference VARCHAR(100) NULL,
    budget_cents BIGINT NOT NULL,
    federal_rate DECIMAL(5,4) NOT NULL,
    state_rate DECIMAL(5,4) NOT NULL,
    start_date DATE NULL,
    planned_end_date DATE NULL,
    status VARCHAR(20) NOT NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY project_history_project (project_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE lot_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    lot_id BIGINT UNSIGNED NOT NULL,
    project_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    code VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    contractor_id BIGINT UNSIGNED NULL,
    contract_value_cents BIGINT NOT NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY lot_history_project (project_id, lot_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE contractor_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    contractor_id BIGINT UNSIGNED NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    name VARCHAR(200) NOT NULL,
    vat_id VARCHAR(32) NULL,
    email VARCHAR(254) NULL,
    phone VARCHAR(64) NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    KEY contractor_history_contractor (contractor_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO project_history (project_id, recorded_at, code, name, municipality, funding_programme,
                             grant_reference, budget_cents, federal_rate, state_rate, start_date,
                             planned_end_date, status)
SELECT id, '1000-01-01', code, name, municipality, funding_programme, grant_reference, budget_cents,
       federal_rate, state_rate, start_date, planned_end_date, status
FROM projects;

INSERT INTO lot_history (lot_id, project_id, recorded_at, code, name, contractor_id,
                         contract_value_cents)
SELECT id, project_id, '1000-01-01', code, name, contractor_id, contract_value_cents FROM lots;

INSERT INTO contractor_history (contractor_id, recorded_at, name, vat_id, email, phone)
SELECT id, '1000-01-01', name, vat_id, email, phone FROM contractors;

-- The triggers, now writing the whole row.

DROP TRIGGER segments_history_insert;
DROP TRIGGER segments_history_update;
DROP TRIGGER segments_history_delete;
DROP TRIGGER premises_history_insert;
DROP TRIGGER premises_history_update;
DROP TRIGGER premises_history_delete;
DROP TRIGGER milestones_history_insert;
DROP TRIGGER milestones_history_update;
DROP TRIGGER milestones_history_delete;
DROP TRIGGER invoices_history_insert;
DROP TRIGGER invoices_history_update;
DROP TRIGGER invoices_history_delete;

CREATE TRIGGER segments_history_insert AFTER INSERT ON segments FOR EACH ROW
    INSERT INTO segment_history (segment_id, project_id, lot_id, status, method, planned_length_m,
                                 built_length_m, code, kind, surface, planned_start, planned_end,
                                 actual_start, actual_end)
    VALUES (NEW.id, NEW.project_id, NEW.lot_id, NEW.status, NEW.method, NEW.planned_length_m,
            NEW.built_length_m, NEW.code, NEW.kind, NEW.surface, NEW.planned_start,
            NEW.planned_end, NEW.actual_start, NEW.actual_end);

CREATE TRIGGER segments_history_update AFTER UPDATE ON segments FOR EACH ROW
    INSERT INTO segment_history (segment_id, project_id, lot_id, status, method, planned_length_m,
                                 built_length_m, code, kind, surface, planned_start, planned_end,
                                 actual_start, actual_end)
    SELECT NEW.id, NEW.project_id, NEW.lot_id, NEW.status, NEW.method, NEW.planned_length_m,
           NEW.built_length_m, NEW.code, NEW.kind, NEW.surface, NEW.planned_start,
           NEW.planned_end, NEW.actual_start, NEW.actual_end
    FROM DUAL
    WHERE NOT (NEW.status <=> OLD.status AND NEW.method <=> OLD.method
               AND NEW.planned_length_m <=> OLD.planned_length_m
               AND NEW.built_length_m <=> OLD.built_length_m AND NEW.lot_id <=> OLD.lot_id
               AND NEW.code <=> OLD.code AND NEW.kind <=> OLD.kind
               AND NEW.surface <=> OLD.surface AND NEW.planned_start <=> OLD.planned_start
               AND NEW.planned_end <=> OLD.planned_end AND NEW.actual_start <=> OLD.actual_start
               AND NEW.actual_end <=> OLD.actual_end);

CREATE TRIGGER segments_history_delete AFTER DELETE ON segments FOR EACH ROW
    INSERT INTO segment_history (segment_id, project_id, lot_id, status, method, planned_length_m,
                                 built_length_m, code, kind, surface, planned_start, planned_end,
                                 actual_start, actual_end, deleted)
    VALUES (OLD.id, OLD.project_id, OLD.lot_id, OLD.status, OLD.method, OLD.planned_length_m,
            OLD.built_length_m, OLD.code, OLD.kind, OLD.surface, OLD.planned_start,
            OLD.planned_end, OLD.actual_start, OLD.actual_end, 1);

CREATE TRIGGER premises_history_insert AFTER INSERT ON premises FOR EACH ROW
    INSERT INTO premise_history (premise_id, project_id, status, white_spot, code, street,
                                 house_number, postcode, city, kind, serving_segment_id,
                                 passed_date, connected_date, activated_date, excluded_date)
    VALUES (NEW.id, NEW.project_id, NEW.status, NEW.white_spot, NEW.code, NEW.street,
            NEW.house_number, NEW.postcode, NEW.city, NEW.kind, NEW.serving_segment_id,
            NEW.passed_date, NEW.connected_date, NEW.activated_date, NEW.excluded_date);

CREATE TRIGGER premises_history_update AFTER UPDATE ON premises FOR EACH ROW
    INSERT INTO premise_history (premise_id, project_id, status, white_spot, code, street,
                                 house_number, postcode, city, kind, serving_segment_id,
                                 passed_date, connected_date, activated_date, excluded_date)
    SELECT NEW.id, NEW.project_id, NEW.status, NEW.white_spot, NEW.code, NEW.street,
           NEW.house_number, NEW.postcode, NEW.city, NEW.kind, NEW.serving_segment_id,
           NEW.passed_date, NEW.connected_date, NEW.activated_date, NEW.excluded_date
    FROM DUAL
    WHERE NOT (NEW.status <=> OLD.status AND NEW.white_spot <=> OLD.white_spot
               AND NEW.code <=> OLD.code AND NEW.street <=> OLD.street
               AND NEW.house_number <=> OLD.house_number AND NEW.postcode <=> OLD.postcode
               AND NEW.city <=> OLD.city AND NEW.kind <=> OLD.kind
               AND NEW.serving_segment_id <=> OLD.serving_segment_id
               AND NEW.passed_date <=> OLD.passed_date
               AND NEW.connected_date <=> OLD.connected_date
               AND NEW.activated_date <=> OLD.activated_date
               AND NEW.excluded_date <=> OLD.excluded_date);

CREATE TRIGGER premises_history_delete AFTER DELETE ON premises FOR EACH ROW
    INSERT INTO premise_history (premise_id, project_id, status, white_spot, code, street,
                                 house_number, postcode, city, kind, serving_segment_id,
                                 passed_date, connected_date, activated_date, excluded_date,
                                 deleted)
    VALUES (OLD.id, OLD.project_id, OLD.status, OLD.white_spot, OLD.code, OLD.street,
            OLD.house_number, OLD.postcode, OLD.city, OLD.kind, OLD.serving_segment_id,
            OLD.passed_date, OLD.connected_date, OLD.activated_date, OLD.excluded_date, 1);

CREATE TRIGGER milestones_history_insert AFTER INSERT ON milestones FOR EACH ROW
    INSERT INTO milestone_history (milestone_id, project_id, planned_date, forecast_date,
                                   actual_date, name, kind, funding_relevant, tranche_cents, notes)
    VALUES (NEW.id, NEW.project_id, NEW.planned_date, NEW.forecast_date, NEW.actual_date,
            NEW.name, NEW.kind, NEW.funding_relevant, NEW.tranche_cents, NEW.notes);

CREATE TRIGGER milestones_history_update AFTER UPDATE ON milestones FOR EACH ROW
    INSERT INTO milestone_history (milestone_id, project_id, planned_date, forecast_date,
                                   actual_date, name, kind, funding_relevant, tranche_cents, notes)
    VALUES (NEW.id, NEW.project_id, NEW.planned_date, NEW.forecast_date, NEW.actual_date,
            NEW.name, NEW.kind, NEW.funding_relevant, NEW.tranche_cents, NEW.notes);

CREATE TRIGGER milestones_history_delete AFTER DELETE ON milestones FOR EACH ROW
    INSERT INTO milestone_history (milestone_id, project_id, planned_date, forecast_date,
                                   actual_date, name, kind, funding_relevant, tranche_cents, notes,
                                   deleted)
    VALUES (OLD.id, OLD.project_id, OLD.planned_date, OLD.forecast_date, OLD.actual_date,
            OLD.name, OLD.kind, OLD.funding_relevant, OLD.tranche_cents, OLD.notes, 1);

CREATE TRIGGER invoices_history_insert AFTER INSERT ON invoices FOR EACH ROW
    INSERT INTO invoice_history (invoice_id, project_id, net_cents, eligible_cents, status, number,
                                 invoice_date, contractor_id, lot_id, category, vat_cents,
                                 paid_date)
    VALUES (NEW.id, NEW.project_id, NEW.net_cents, NEW.eligible_cents, NEW.status, NEW.number,
            NEW.invoice_date, NEW.contractor_id, NEW.lot_id, NEW.category, NEW.vat_cents,
            NEW.paid_date);

CREATE TRIGGER invoices_history_update AFTER UPDATE ON invoices FOR EACH ROW
    INSERT INTO invoice_history (invoice_id, project_id, net_cents, eligible_cents, status, number,
                                 invoice_date, contractor_id, lot_id, category, vat_cents,
                                 paid_date)
    VALUES (NEW.id, NEW.project_id, NEW.net_cents, NEW.eligible_cents, NEW.status, NEW.number,
            NEW.invoice_date, NEW.contractor_id, NEW.lot_id, NEW.category, NEW.vat_cents,
            NEW.paid_date);

CREATE TRIGGER invoices_history_delete AFTER DELETE ON invoices FOR EACH ROW
    INSERT INTO invoice_history (invoice_id, project_id, net_cents, eligible_cents, status, number,
                                 invoice_date, contractor_id, lot_id, category, vat_cents,
                                 paid_date, deleted)
    VALUES (OLD.id, OLD.project_id, OLD.net_cents, OLD.eligible_cents, OLD.status, OLD.number,
            OLD.invoice_date, OLD.contractor_id, OLD.lot_id, OLD.category, OLD.vat_cents,
            OLD.paid_date, 1);

CREATE TRIGGER projects_history_insert AFTER INSERT ON projects FOR EACH ROW
    INSERT INTO project_history (project_id, code, name, municipality, funding_programme,
                                 grant_reference, budget_cents, federal_rate, state_rate,
                                 start_date, planned_end_date, status)
    VALUES (NEW.id, NEW.code, NEW.name, NEW.municipality, NEW.funding_programme,
            NEW.grant_reference, NEW.budget_cents, NEW.federal_rate, NEW.state_rate,
            NEW.start_date, NEW.planned_end_date, NEW.status);

CREATE TRIGGER projects_history_update AFTER UPDATE ON projects FOR EACH ROW
    INSERT INTO project_history (project_id, code, name, municipality, funding_programme,
                                 grant_reference, budget_cents, federal_rate, state_rate,
                                 start_date, planned_end_date, status)
    VALUES (NEW.id, NEW.code, NEW.name, NEW.municipality, NEW.funding_programme,
            NEW.grant_reference, NEW.budget_cents, NEW.federal_rate, NEW.state_rate,
            NEW.start_date, NEW.planned_end_date, NEW.status);

CREATE TRIGGER projects_history_delete AFTER DELETE ON projects FOR EACH ROW
    INSERT INTO project_history (project_id, code, name, municipality, funding_programme,
                                 grant_reference, budget_cents, federal_rate, state_rate,
                                 start_date, planned_end_date, status, deleted)
    VALUES (OLD.id, OLD.code, OLD.name, OLD.municipality, OLD.funding_programme,
            OLD.grant_reference, OLD.budget_cents, OLD.federal_rate, OLD.state_rate,
            OLD.start_date, OLD.planned_end_date, OLD.status, 1);

CREATE TRIGGER lots_history_insert AFTER INSERT ON lots FOR EACH ROW
    INSERT INTO lot_history (lot_id, project_id, code, name, contractor_id, contract_value_cents)
    VALUES (NEW.id, NEW.project_id, NEW.code, NEW.name, NEW.contractor_id,
            NEW.contract_value_cents);

CREATE TRIGGER lots_history_update AFTER UPDATE ON lots FOR EACH ROW
    INSERT INTO lot_history (lot_id, project_id, code, name, contractor_id, contract_value_cents)
    VALUES (NEW.id, NEW.project_id, NEW.code, NEW.name, NEW.contractor_id,
            NEW.contract_value_cents);

CREATE TRIGGER lots_history_delete AFTER DELETE ON lots FOR EACH ROW
    INSERT INTO lot_history (lot_id, project_id, code, name, contractor_id, contract_value_cents,
                             deleted)
    VALUES (OLD.id, OLD.project_id, OLD.code, OLD.name, OLD.contractor_id,
            OLD.contract_value_cents, 1);

CREATE TRIGGER contractors_history_insert AFTER INSERT ON contractors FOR EACH ROW
    INSERT INTO contractor_history (contractor_id, name, vat_id, email, phone)
    VALUES (NEW.id, NEW.name, NEW.vat_id, NEW.email, NEW.phone);

CREATE TRIGGER contractors_history_update AFTER UPDATE ON contractors FOR EACH ROW
    INSERT INTO contractor_history (contractor_id, name, vat_id, email, phone)
    VALUES (NEW.id, NEW.name, NEW.vat_id, NEW.email, NEW.phone);

CREATE TRIGGER contractors_history_delete AFTER DELETE ON contractors FOR EACH ROW
    INSERT INTO contractor_history (contractor_id, name, vat_id, email, phone, deleted)
    VALUES (OLD.id, OLD.name, OLD.vat_id, OLD.email, OLD.phone, 1);
