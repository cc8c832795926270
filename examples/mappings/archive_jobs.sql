-- A HealthArchive-shaped jobs table (issue 20, item 2): the host's own table, names and statuses,
-- which warden reads and writes through examples/mappings/archive_jobs.json. The host's workers
-- write `indexing`, `indexed` and `index_failed` beside the crawl statuses; its CHECK admits only
-- its own values, so a write of a status the mapping does not translate is refused, not stored;
-- so does its failure_kind CHECK, whose values the mapping's failure_classes translate both ways.
CREATE TABLE archive_jobs (
    job_id                  BIGINT PRIMARY KEY,
    job_name                TEXT NOT NULL,
    source_code             TEXT NOT NULL DEFAULT '',
    output_path             TEXT NOT NULL DEFAULT '',
    state                   TEXT NOT NULL CHECK (state IN
                                ('queued', 'crawling', 'retry_wait', 'indexing', 'indexed',
                                 'index_failed', 'crawl_failed')),
    campaign_kind           TEXT,
    campaign_year           INTEGER,
    queued_at               BIGINT NOT NULL,
    started_at              BIGINT,
    finished_at             BIGINT,
    last_progress_at        BIGINT,
    completed_at            BIGINT,
    attempts                INTEGER NOT NULL DEFAULT 0,
    -- the host's own failure kinds: no home for warden's `orphaned` (the mapping's fallback)
    failure_kind            TEXT CHECK (failure_kind IS NULL OR failure_kind IN
                                ('timeout', 'infrastructure', 'config_error', 'other')),
    last_error              TEXT NOT NULL DEFAULT '',
    max_container_restarts  INTEGER NOT NULL DEFAULT 0,
    error_threshold_timeout INTEGER NOT NULL DEFAULT 0,
    error_threshold_http    INTEGER NOT NULL DEFAULT 0,
    backoff_delay_minutes   INTEGER NOT NULL DEFAULT 0,
    page_cap                INTEGER,
    last_stage              TEXT,
    has_outputs             SMALLINT NOT NULL DEFAULT 0,
    row_version             BIGINT NOT NULL DEFAULT 0,
    monitoring              SMALLINT,
    adaptive_restart        SMALLINT,
    created_at              BIGINT,
    updated_at              BIGINT,
    -- the job's crawl configuration, as HealthArchive's ArchiveJob.config: seeds, zimit arguments
    -- and the tool_options object, where the mapping reads (and warden writes)
    -- stall_timeout_minutes, docker_shm_size, skip_final_build and initial_workers
    config                  JSONB,
    -- job classes and group limits (issue 21), under warden's own names
    class                   TEXT NOT NULL DEFAULT '',
    group_key               TEXT NOT NULL DEFAULT ''
);
