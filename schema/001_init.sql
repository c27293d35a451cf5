-- fibertrack initial schema: network inventory, identity, audit and idempotency.
-- All tables are InnoDB/utf8mb4; money is integer cents, lengths DECIMAL(12,2) metres.

CREATE TABLE contractors (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    vat_id VARCHAR(32) NULL,
    email VARCHAR(254) NULL,
    phone VARCHAR(64) NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY contractors_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE projects (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    municipality VARCHAR(200) NOT NULL,
    funding_programme VARCHAR(200) NULL,
    grant_reference VARCHAR(100) NULL,
    budget_cents BIGINT NOT NULL DEFAULT 0,
    federal_rate DECIMAL(5,4) NOT NULL DEFAULT 0,
    state_rate DECIMAL(5,4) NOT NULL DEFAULT 0,
    start_date DATE NULL,
    planned_end_date DATE NULL,
    status ENUM('planning','construction','completed','closed') NOT NULL DEFAULT 'planning',
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY projects_code (code),
    KEY projects_updated (updated_at),
    CONSTRAINT projects_rates CHECK (federal_rate >= 0 AND state_rate >= 0 AND federal_rate + state_rate <= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE lots (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    code VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    contractor_id BIGINT UNSIGNED NULL,
    contract_value_cents BIGINT NOT NULL DEFAULT 0,
    auto_approve TINYINT(1) NOT NULL DEFAULT 0,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY lots_code (project_id, code),
    KEY lots_contractor (contractor_id),
    KEY lots_updated (updated_at),
    CONSTRAINT lots_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT lots_contractor FOREIGN KEY (contractor_id) REFERENCES contractors (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE nodes (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    code VARCHAR(64) NOT NULL,
    kind ENUM('pop','cabinet','splice_closure','handhole','building_entry') NOT NULL,
    name VARCHAR(200) NULL,
    lat DOUBLE NULL,
    lon DOUBLE NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY nodes_code (project_id, code),
    KEY nodes_updated (updated_at),
    CONSTRAINT nodes_project FOREIGN KEY (project_id) REFERENCES projects (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE segments (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    lot_id BIGINT UNSIGNED NULL,
    code VARCHAR(64) NOT NULL,
    from_node_id BIGINT UNSIGNED NULL,
    to_node_id BIGINT UNSIGNED NULL,
    kind ENUM('trench','duct','cable','drop') NOT NULL,
    method ENUM('open_trench','micro_trench','hdd','plough','aerial','existing_duct') NULL,
    surface ENUM('sealed','unsealed','none') NULL,
    planned_length_m DECIMAL(12,2) NOT NULL DEFAULT 0,
    built_length_m DECIMAL(12,2) NOT NULL DEFAULT 0,
    fiber_count INT UNSIGNED NULL,
    duct_type VARCHAR(64) NULL,
    geometry LINESTRING NULL,
    status ENUM('planned','permitted','in_construction','civil_done','cable_installed','spliced','tested','accepted')
        NOT NULL DEFAULT 'planned',
    planned_start DATE NULL,
    planned_end DATE NULL,
    actual_start DATE NULL,
    actual_end DATE NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY segments_code (project_id, code),
    KEY segments_lot (lot_id, id),
    KEY segments_project_status (project_id, status, id),
    KEY segments_updated (updated_at),
    CONSTRAINT segments_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT segments_lot FOREIGN KEY (lot_id) REFERENCES lots (id),
    CONSTRAINT segments_from FOREIGN KEY (from_node_id) REFERENCES nodes (id),
    CONSTRAINT segments_to FOREIGN KEY (to_node_id) REFERENCES nodes (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE premises (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id BIGINT UNSIGNED NOT NULL,
    code VARCHAR(64) NOT NULL,
    street VARCHAR(200) NOT NULL,
    house_number VARCHAR(20) NOT NULL,
    postcode VARCHAR(10) NOT NULL,
    city VARCHAR(100) NOT NULL,
    lat DOUBLE NULL,
    lon DOUBLE NULL,
    kind ENUM('residential','business','school','hospital','public','other') NOT NULL DEFAULT 'residential',
    units_residential INT UNSIGNED NOT NULL DEFAULT 0,
    units_business INT UNSIGNED NOT NULL DEFAULT 0,
    white_spot TINYINT(1) NOT NULL DEFAULT 0,
    bandwidth_before_mbps DECIMAL(10,2) NULL,
    serving_segment_id BIGINT UNSIGNED NULL,
    status ENUM('planned','passed','connected','activated','excluded') NOT NULL DEFAULT 'planned',
    passed_date DATE NULL,
    connected_date DATE NULL,
    activated_date DATE NULL,
    excluded_date DATE NULL,
    exclusion_reason VARCHAR(500) NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY premises_code (project_id, code),
    KEY premises_segment (serving_segment_id, id),
    KEY premises_project_status (project_id, status, id),
    KEY premises_updated (updated_at),
    CONSTRAINT premises_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT premises_segment FOREIGN KEY (serving_segment_id) REFERENCES segments (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(254) NOT NULL,
    name VARCHAR(200) NOT NULL,
    role ENUM('admin','manager','contractor','finance') NOT NULL,
    contractor_id BIGINT UNSIGNED NULL,
    active TINYINT(1) NOT NULL DEFAULT 1,
    password_hash VARCHAR(255) NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY users_email (email),
    KEY users_updated (updated_at),
    CONSTRAINT users_contractor FOREIGN KEY (contractor_id) REFERENCES contractors (id),
    CONSTRAINT users_contractor_role CHECK ((role = 'contractor') = (contractor_id IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tokens (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(100) NOT NULL,
    hash BINARY(32) NOT NULL,
    prefix VARCHAR(16) NOT NULL,
    expires_at DATETIME(3) NULL,
    last_used_at DATETIME(3) NULL,
    revoked_at DATETIME(3) NULL,
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY tokens_hash (hash),
    KEY tokens_user (user_id, id),
    CONSTRAINT tokens_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: the application account never issues UPDATE or DELETE on it.
CREATE TABLE audit_log (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    user_id BIGINT UNSIGNED NULL,
    user_name VARCHAR(200) NULL,
    request_id VARCHAR(64) NULL,
    action ENUM('create','update','delete','approve','reject','import','login','logout') NOT NULL,
    entity VARCHAR(32) NOT NULL,
    entity_id BIGINT UNSIGNED NULL,
    before_json LONGTEXT NULL,
    after_json LONGTEXT NULL,
    KEY audit_entity (entity, entity_id, id),
    KEY audit_user (user_id, id),
    KEY audit_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per (user, Idempotency-Key). A 'running' row whose owner_conn
-- (the claiming MariaDB connection) is gone belongs to a request that died
-- before its commit, and may be claimed again.
CREATE TABLE idempotency_keys (
    user_id BIGINT UNSIGNED NOT NULL,
    idem_key VARCHAR(200) NOT NULL,
    request_hash BINARY(32) NOT NULL,
    state ENUM('running','done') NOT NULL,
    owner_conn BIGINT UNSIGNED NULL,
    status SMALLINT UNSIGNED NULL,
    location VARCHAR(255) NULL,
    response LONGTEXT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (user_id, idem_key),
    KEY idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed logins per e-mail address, for the login rate limit; shared by all
-- instances so that a load balancer does not multiply the allowance.
CREATE TABLE login_failures (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(254) NOT NULL,
    ip VARCHAR(64) NOT NULL,
    at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY login_failures_email (email, at),
    KEY login_failures_ip (ip, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
