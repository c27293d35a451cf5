-- Photos and documents on progress reports (the Fotodokumentation).
-- Files are stored once per content, named by their SHA-256 (a blob); an
-- attachment is one upload of a blob to one report. The blob row is what
-- uploads of the same content lock on, so that a file is only ever put in
-- place or removed by the one transaction that holds its row (see
-- server/media/blobstore.c).
CREATE TABLE attachment_blobs (
    sha256 CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    size BIGINT UNSIGNED NOT NULL,
    media_type VARCHAR(64) CHARACTER SET ascii NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE attachments (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    progress_report_id BIGINT UNSIGNED NOT NULL,
    sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
    media_type VARCHAR(64) CHARACTER SET ascii NOT NULL,
    size BIGINT UNSIGNED NOT NULL,
    file_name VARCHAR(255) NOT NULL,
    caption VARCHAR(500) NULL,
    -- When the photo was taken (UTC), and where, as the camera wrote it.
    taken_at DATETIME(3) NULL,
    lat DOUBLE NULL,
    lon DOUBLE NULL,
    -- Metres from the segment's geometry, when both are known.
    distance_m DOUBLE NULL,
    uploaded_by BIGINT UNSIGNED NOT NULL,
    -- An attachment never changes: no version, no updated_at.
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY attachments_report (progress_report_id, id),
    KEY attachments_blob (sha256),
    KEY attachments_created (created_at),
    CONSTRAINT attachments_report FOREIGN KEY (progress_report_id) REFERENCES progress_reports (id),
    CONSTRAINT attachments_blob FOREIGN KEY (sha256) REFERENCES attachment_blobs (sha256),
    CONSTRAINT attachments_uploader FOREIGN KEY (uploaded_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
