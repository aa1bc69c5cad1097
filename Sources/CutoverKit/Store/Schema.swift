/// The database layout, as numbered migrations recorded in `PRAGMA user_version`.
///
/// Tables are `STRICT`; times are fixed-width UTC text ending in `Z`. The views
/// `attributions`, `milestones` and `node_rounds` are the documented contract for SREs
/// (docs/DOMAIN.md §8); the `*_results` tables behind them are rewritten by `correlate`.
public enum Schema {
    /// Each entry moves the schema from version `index` to `index + 1`.
    static let migrations: [String] = [
        """
        CREATE TABLE sources (
            source_id        INTEGER PRIMARY KEY,
            path             TEXT NOT NULL,
            name             TEXT NOT NULL,
            content_hash     TEXT,
            size             INTEGER,
            compressed       INTEGER NOT NULL DEFAULT 0,
            status           TEXT NOT NULL DEFAULT 'in_progress',
            problem          TEXT,
            kube_events      INTEGER NOT NULL DEFAULT 0,
            activity_records INTEGER NOT NULL DEFAULT 0,
            uidless_events   INTEGER NOT NULL DEFAULT 0,
            duplicates       INTEGER NOT NULL DEFAULT 0,
            skipped          INTEGER NOT NULL DEFAULT 0,
            rejects          INTEGER NOT NULL DEFAULT 0,
            ingested_at      TEXT NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX sources_by_content ON sources(content_hash, size);

        CREATE TABLE kube_events (
            event_id         INTEGER PRIMARY KEY,
            dedupe_key       TEXT NOT NULL,
            uid              TEXT,
            cluster          TEXT,
            namespace        TEXT,
            name             TEXT,
            object_kind      TEXT,
            object_namespace TEXT,
            object_name      TEXT,
            object_uid       TEXT,
            field_path       TEXT,
            reason           TEXT,
            message          TEXT,
            type             TEXT,
            source_component TEXT,
            source_host      TEXT,
            first_seen       TEXT NOT NULL,
            last_seen        TEXT NOT NULL,
            time_field       TEXT NOT NULL,
            count            INTEGER NOT NULL,
            shape            TEXT NOT NULL,
            source_id        INTEGER NOT NULL REFERENCES sources(source_id),
            position         INTEGER NOT NULL,
            raw              TEXT NOT NULL
        ) STRICT;
        CREATE INDEX kube_events_by_key ON kube_events(dedupe_key);
        CREATE INDEX kube_events_by_reason ON kube_events(reason);

        CREATE TABLE activity_records (
            record_id        INTEGER PRIMARY KEY,
            dedupe_key       TEXT NOT NULL UNIQUE,
            event_data_id    TEXT,
            operation_id     TEXT,
            correlation_id   TEXT,
            operation_name   TEXT NOT NULL,
            operation        TEXT NOT NULL,
            status           TEXT NOT NULL,
            time             TEXT NOT NULL,
            time_field       TEXT NOT NULL,
            resource_id      TEXT NOT NULL,
            resource_key     TEXT NOT NULL,
            caller           TEXT,
            category         TEXT,
            status_message   TEXT,
            request_body     TEXT,
            response_body    TEXT,
            shape            TEXT NOT NULL,
            source_id        INTEGER NOT NULL REFERENCES sources(source_id),
            position         INTEGER NOT NULL,
            raw              TEXT NOT NULL
        ) STRICT;
        CREATE INDEX activity_records_by_operation ON activity_records(operation, status);

        -- When each node was first and last mentioned by any event (its kubelet's host, or a Node
        -- object), kept up to date per file so correlation need not scan every event.
        CREATE TABLE node_sightings (
            node             TEXT PRIMARY KEY,
            first_seen       TEXT NOT NULL,
            last_seen        TEXT NOT NULL
        ) STRICT;

        CREATE TABLE rejects (
            reject_id        INTEGER PRIMARY KEY,
            source_id        INTEGER NOT NULL REFERENCES sources(source_id),
            position         INTEGER NOT NULL,
            line             INTEGER NOT NULL,
            reason           TEXT NOT NULL,
            snippet          TEXT NOT NULL,
            UNIQUE (source_id, position)
        ) STRICT;

        CREATE TABLE milestone_results (
            round            INTEGER PRIMARY KEY,
            name             TEXT NOT NULL,
            effective_time   TEXT,
            source           TEXT NOT NULL,
            evidence         TEXT NOT NULL,
            requires_reimage INTEGER NOT NULL,
            playbook         TEXT NOT NULL
        ) STRICT;

        CREATE TABLE node_results (
            node             TEXT PRIMARY KEY,
            vmss             TEXT,
            instance_id      INTEGER,
            pool             TEXT,
            first_seen       TEXT NOT NULL,
            removed_at       TEXT
        ) STRICT;

        CREATE TABLE bootstrap_results (
            node             TEXT NOT NULL,
            time             TEXT NOT NULL,
            kind             TEXT NOT NULL,
            strength         TEXT NOT NULL,
            evidence         TEXT NOT NULL
        ) STRICT;

        CREATE TABLE node_round_results (
            node             TEXT NOT NULL,
            round            INTEGER NOT NULL,
            bootstrapped_at  TEXT,
            status           TEXT NOT NULL,
            PRIMARY KEY (node, round)
        ) STRICT;

        CREATE TABLE coverage_results (
            source           TEXT PRIMARY KEY,
            present          INTEGER NOT NULL,
            if_missing       TEXT NOT NULL
        ) STRICT;

        CREATE TABLE failure_results (
            failure_id       INTEGER PRIMARY KEY,
            event_id         INTEGER NOT NULL,
            cluster          TEXT,
            node             TEXT,
            namespace        TEXT,
            pod              TEXT,
            category         TEXT NOT NULL,
            reason           TEXT NOT NULL,
            message          TEXT,
            first_seen       TEXT NOT NULL,
            last_seen        TEXT NOT NULL,
            count            INTEGER NOT NULL,
            verdict          TEXT NOT NULL,
            missed_round     INTEGER,
            missed_rounds    TEXT,
            confidence       TEXT NOT NULL,
            explanation      TEXT NOT NULL,
            event_uid        TEXT
        ) STRICT;

        CREATE INDEX failure_results_by_node ON failure_results(node, first_seen);

        CREATE VIEW attributions AS
            SELECT failure_id, cluster, node, namespace, pod, category, reason, first_seen, last_seen,
                   count, verdict, missed_round, missed_rounds, confidence, explanation, event_uid, message
            FROM failure_results;

        CREATE VIEW milestones AS
            SELECT round, name, effective_time, source, evidence
            FROM milestone_results;

        -- Per round, nodes that had it against nodes that missed it: the counterfactual behind the
        -- attributions. A node is failing when, after the point it reached (its first bootstrap
        -- after the milestone, or the milestone itself if it missed it), it has a failure not blamed
        -- on another round; the with-round cohort shows the background rate of other causes.
        CREATE VIEW round_cohorts AS
            WITH cohort AS (
                SELECT r.round, r.node, r.status,
                       EXISTS (SELECT 1 FROM failure_results a
                               WHERE a.node = r.node AND a.first_seen >= coalesce(r.bootstrapped_at, m.effective_time)
                                 AND (a.missed_rounds IS NULL OR ',' || a.missed_rounds || ',' LIKE '%,' || r.round || ',%')) AS failing
                FROM node_round_results r JOIN milestone_results m ON m.round = r.round
                WHERE r.status IN ('done', 'missed'))
            SELECT c.round, m.name,
                   sum(c.status = 'done') AS nodes_with_round,
                   sum(c.status = 'done' AND c.failing) AS failing_with_round,
                   sum(c.status = 'missed') AS nodes_without_round,
                   sum(c.status = 'missed' AND c.failing) AS failing_without_round
            FROM cohort c JOIN milestone_results m ON m.round = c.round
            GROUP BY c.round;

        CREATE VIEW node_rounds AS
            SELECT r.node, n.vmss, n.instance_id, n.pool, r.round, r.bootstrapped_at, r.status
            FROM node_round_results r LEFT JOIN node_results n ON n.node = r.node;
        """,
        // 2: what each input file can testify to, and over which time, so that coverage can
        // name the windows no evidence covers; when a reused node name began to mean a new node.
        """
        ALTER TABLE sources ADD COLUMN first_time TEXT;
        ALTER TABLE sources ADD COLUMN last_time TEXT;
        ALTER TABLE sources ADD COLUMN normal_events INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sources ADD COLUMN node_group_records INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE coverage_results ADD COLUMN windows TEXT;
        ALTER TABLE node_results ADD COLUMN recreated_at TEXT;
        """,
        // 3: a database holds many clusters (a subscription's activity log, a fleet's event
        // stream). Every result row names its cluster; a node is (cluster, node). `cluster` is
        // the label of `cluster_results` ('' when the inputs name no cluster at all), and the
        // contract views show '' as NULL. A version-2 database had one cluster: its results keep
        // their rows under that cluster's name.
        """
        CREATE TEMP TABLE v3_cluster AS SELECT coalesce(
            (SELECT cluster FROM failure_results WHERE cluster IS NOT NULL GROUP BY cluster ORDER BY count(*) DESC LIMIT 1),
            '') AS name;
        DROP VIEW attributions; DROP VIEW milestones; DROP VIEW round_cohorts; DROP VIEW node_rounds;

        CREATE TABLE node_sightings_v3 (
            cluster          TEXT NOT NULL,
            node             TEXT NOT NULL,
            first_seen       TEXT NOT NULL,
            last_seen        TEXT NOT NULL,
            PRIMARY KEY (cluster, node)
        ) STRICT;
        INSERT INTO node_sightings_v3 SELECT '', node, first_seen, last_seen FROM node_sightings;
        DROP TABLE node_sightings;
        ALTER TABLE node_sightings_v3 RENAME TO node_sightings;

        CREATE TABLE cluster_results (
            cluster             TEXT PRIMARY KEY,
            name                TEXT NOT NULL,
            resource_id         TEXT,
            subscription        TEXT,
            resource_group      TEXT,
            node_resource_group TEXT,
            events_correlated   INTEGER NOT NULL,
            activity_correlated INTEGER NOT NULL,
            nodes               INTEGER NOT NULL,
            failures            INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE milestone_results_v3 (
            cluster          TEXT NOT NULL,
            round            INTEGER NOT NULL,
            name             TEXT NOT NULL,
            effective_time   TEXT,
            source           TEXT NOT NULL,
            evidence         TEXT NOT NULL,
            requires_reimage INTEGER NOT NULL,
            playbook         TEXT NOT NULL,
            PRIMARY KEY (cluster, round)
        ) STRICT;
        INSERT INTO milestone_results_v3 SELECT (SELECT name FROM v3_cluster), round, name, effective_time, source, evidence,
            requires_reimage, playbook FROM milestone_results;
        DROP TABLE milestone_results;
        ALTER TABLE milestone_results_v3 RENAME TO milestone_results;

        CREATE TABLE node_results_v3 (
            cluster          TEXT NOT NULL,
            node             TEXT NOT NULL,
            vmss             TEXT,
            instance_id      INTEGER,
            pool             TEXT,
            first_seen       TEXT NOT NULL,
            removed_at       TEXT,
            recreated_at     TEXT,
            PRIMARY KEY (cluster, node)
        ) STRICT;
        INSERT INTO node_results_v3 SELECT (SELECT name FROM v3_cluster), node, vmss, instance_id, pool, first_seen, removed_at,
            recreated_at FROM node_results;
        DROP TABLE node_results;
        ALTER TABLE node_results_v3 RENAME TO node_results;

        CREATE TABLE bootstrap_results_v3 (
            cluster          TEXT NOT NULL,
            node             TEXT NOT NULL,
            time             TEXT NOT NULL,
            kind             TEXT NOT NULL,
            strength         TEXT NOT NULL,
            evidence         TEXT NOT NULL
        ) STRICT;
        INSERT INTO bootstrap_results_v3 SELECT (SELECT name FROM v3_cluster), node, time, kind, strength, evidence
            FROM bootstrap_results;
        DROP TABLE bootstrap_results;
        ALTER TABLE bootstrap_results_v3 RENAME TO bootstrap_results;
        -- The saved queries look a node's bootstraps up (failure-to-reimage, evidence-gaps-per-node).
        CREATE INDEX bootstrap_results_by_node ON bootstrap_results(cluster, node, time);

        CREATE TABLE node_round_results_v3 (
            cluster          TEXT NOT NULL,
            node             TEXT NOT NULL,
            round            INTEGER NOT NULL,
            bootstrapped_at  TEXT,
            status           TEXT NOT NULL,
            PRIMARY KEY (cluster, node, round)
        ) STRICT;
        INSERT INTO node_round_results_v3 SELECT (SELECT name FROM v3_cluster), node, round, bootstrapped_at, status
            FROM node_round_results;
        DROP TABLE node_round_results;
        ALTER TABLE node_round_results_v3 RENAME TO node_round_results;

        CREATE TABLE coverage_results_v3 (
            cluster          TEXT NOT NULL,
            source           TEXT NOT NULL,
            present          INTEGER NOT NULL,
            if_missing       TEXT NOT NULL,
            windows          TEXT,
            PRIMARY KEY (cluster, source)
        ) STRICT;
        INSERT INTO coverage_results_v3 SELECT (SELECT name FROM v3_cluster), source, present, if_missing, windows
            FROM coverage_results;
        DROP TABLE coverage_results;
        ALTER TABLE coverage_results_v3 RENAME TO coverage_results;

        CREATE TABLE failure_results_v3 (
            failure_id       INTEGER PRIMARY KEY,
            event_id         INTEGER NOT NULL,
            cluster          TEXT NOT NULL,
            node             TEXT,
            namespace        TEXT,
            pod              TEXT,
            category         TEXT NOT NULL,
            reason           TEXT NOT NULL,
            message          TEXT,
            first_seen       TEXT NOT NULL,
            last_seen        TEXT NOT NULL,
            count            INTEGER NOT NULL,
            verdict          TEXT NOT NULL,
            missed_round     INTEGER,
            missed_rounds    TEXT,
            confidence       TEXT NOT NULL,
            explanation      TEXT NOT NULL,
            event_uid        TEXT
        ) STRICT;
        INSERT INTO failure_results_v3 SELECT failure_id, event_id, coalesce(cluster, (SELECT name FROM v3_cluster)), node,
            namespace, pod, category, reason, message, first_seen, last_seen, count, verdict, missed_round,
            CASE WHEN missed_rounds IS NULL THEN NULL ELSE '[' || missed_rounds || ']' END,
            confidence, explanation, event_uid FROM failure_results;
        DROP TABLE failure_results;
        ALTER TABLE failure_results_v3 RENAME TO failure_results;
        CREATE INDEX failure_results_by_node ON failure_results(cluster, node, first_seen);

        -- Activity records sharing correlation id, operation, status, time and resource are distinct
        -- when their eventDataIds differ: the key ends in the eventDataId ('~' without one).
        UPDATE activity_records SET dedupe_key = dedupe_key || '|' || coalesce(lower(event_data_id), '~');

        INSERT INTO cluster_results (cluster, name, events_correlated, activity_correlated, nodes, failures)
            SELECT name, name, (SELECT count(*) FROM kube_events), (SELECT count(*) FROM activity_records),
                   (SELECT count(*) FROM node_results), (SELECT count(*) FROM failure_results)
            FROM v3_cluster WHERE EXISTS (SELECT 1 FROM milestone_results);
        DROP TABLE temp.v3_cluster;

        -- Each correlation, with what it was asked (so a later `status` re-runs it the same way).
        CREATE TABLE correlation_runs (
            run_id           INTEGER PRIMARY KEY,
            ran_at           TEXT NOT NULL,
            cutover_version  TEXT NOT NULL,
            playbook         TEXT NOT NULL,
            playbook_source  TEXT NOT NULL,
            given            TEXT NOT NULL,
            given_cluster    TEXT,
            sources_seen     INTEGER NOT NULL
        ) STRICT;

        -- Each ingest, with what it was given.
        CREATE TABLE ingest_runs (
            run_id           INTEGER PRIMARY KEY,
            ran_at           TEXT NOT NULL,
            cutover_version  TEXT NOT NULL,
            arguments        TEXT NOT NULL,
            cluster          TEXT,
            files            INTEGER NOT NULL,
            records          INTEGER NOT NULL,
            rejects          INTEGER NOT NULL
        ) STRICT;

        -- What built this database: the schema, then every ingest and correlation in order.
        CREATE VIEW meta AS
            SELECT 'schema' AS what, NULL AS ran_at, NULL AS cutover_version, 'version 3' AS details
            UNION ALL
            SELECT 'ingest', ran_at, cutover_version,
                   arguments || coalesce(' --cluster ' || cluster, '') || ': ' || files || ' file(s), ' || records
                       || ' records, ' || rejects || ' rejects'
            FROM ingest_runs
            UNION ALL
            SELECT 'correlate', ran_at, cutover_version,
                   'playbook ' || playbook_source || ', milestones ' || given || coalesce(', cluster ' || given_cluster, '')
            FROM correlation_runs
            ORDER BY 2;

        CREATE VIEW clusters AS
            SELECT nullif(cluster, '') AS cluster, name, resource_id, subscription, resource_group, node_resource_group,
                   events_correlated, activity_correlated, nodes, failures
            FROM cluster_results;

        -- missed_rounds is a JSON array (`[2,3]`: json_each works on it); event_id joins kube_events.
        CREATE VIEW attributions AS
            SELECT failure_id, nullif(cluster, '') AS cluster, node, namespace, pod, category, reason, first_seen, last_seen,
                   count, verdict, missed_round, missed_rounds, confidence, explanation, event_uid, message, event_id
            FROM failure_results;

        CREATE VIEW milestones AS
            SELECT nullif(cluster, '') AS cluster, round, name, effective_time, source, evidence
            FROM milestone_results;

        -- Per cluster and round, nodes that had it against nodes that missed it: the counterfactual
        -- behind the attributions. A node is failing when, after the point it reached (its first
        -- bootstrap after the milestone, or the milestone itself if it missed it), it has a failure
        -- not blamed on another round; the with-round cohort shows the background rate of other causes.
        CREATE VIEW round_cohorts AS
            WITH cohort AS (
                SELECT r.cluster, r.round, r.node, r.status,
                       EXISTS (SELECT 1 FROM failure_results a
                               WHERE a.cluster = r.cluster AND a.node = r.node
                                 AND a.first_seen >= coalesce(r.bootstrapped_at, m.effective_time)
                                 AND (a.missed_rounds IS NULL
                                      OR EXISTS (SELECT 1 FROM json_each(a.missed_rounds) WHERE json_each.value = r.round))) AS failing
                FROM node_round_results r JOIN milestone_results m ON m.cluster = r.cluster AND m.round = r.round
                WHERE r.status IN ('done', 'missed'))
            SELECT nullif(c.cluster, '') AS cluster, c.round, m.name,
                   sum(c.status = 'done') AS nodes_with_round,
                   sum(c.status = 'done' AND c.failing) AS failing_with_round,
                   sum(c.status = 'missed') AS nodes_without_round,
                   sum(c.status = 'missed' AND c.failing) AS failing_without_round
            FROM cohort c JOIN milestone_results m ON m.cluster = c.cluster AND m.round = c.round
            GROUP BY c.cluster, c.round;

        CREATE VIEW node_rounds AS
            SELECT nullif(r.cluster, '') AS cluster, r.node, n.vmss, n.instance_id, n.pool, r.round, r.bootstrapped_at, r.status
            FROM node_round_results r LEFT JOIN node_results n ON n.cluster = r.cluster AND n.node = r.node;
        """,
        // 4: every field of every record in a column, the rest in `extra`, no `raw` copy of the
        // record (RecordLayout); `kube_events_json` / `activity_records_json` give records back.
        // The old tables are re-encoded from their `raw` by `reencodeVersion3` after this SQL,
        // then `afterReencoding` builds the indexes and views.
        """
        DROP INDEX IF EXISTS kube_events_by_key;
        DROP INDEX IF EXISTS kube_events_by_reason;
        DROP INDEX IF EXISTS activity_records_by_operation;
        ALTER TABLE kube_events RENAME TO kube_events_v3;
        ALTER TABLE activity_records RENAME TO activity_records_v3;

        CREATE TABLE kube_events (
            event_id                INTEGER PRIMARY KEY,
            cluster                 TEXT,
            uid                     TEXT,
            namespace               TEXT,
            name                    TEXT,
            object_kind             TEXT,
            object_namespace        TEXT,
            object_name             TEXT,
            object_uid              TEXT,
            field_path              TEXT,
            reason                  TEXT,
            message                 TEXT,
            type                    TEXT,
            source_component        TEXT,
            source_host             TEXT,
            count                   INTEGER NOT NULL,
            api_version             TEXT,
            kind                    TEXT,
            resource_version        TEXT,
            object_api_version      TEXT,
            object_resource_version TEXT,
            reporting_component     TEXT,
            reporting_instance      TEXT,
            action                  TEXT,
            related                 TEXT,
            series                  TEXT,
            cluster_name            TEXT,
            tenant_id               TEXT,
            source_system           TEXT,
            resource_id             TEXT,
            first_seen              TEXT NOT NULL,
            last_seen               TEXT NOT NULL,
            time_field              TEXT NOT NULL,
            shape                   TEXT NOT NULL,
            fields                  INTEGER NOT NULL,
            form                    INTEGER NOT NULL,
            extra                   TEXT,
            source_id               INTEGER NOT NULL REFERENCES sources(source_id),
            position                INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE activity_records (
            record_id          INTEGER PRIMARY KEY,
            event_data_id      TEXT,
            operation_id       TEXT,
            correlation_id     TEXT,
            operation_name     TEXT NOT NULL,
            status             TEXT NOT NULL,
            resource_id        TEXT NOT NULL,
            caller             TEXT,
            category           TEXT,
            status_message     TEXT,
            request_body       TEXT,
            response_body      TEXT,
            level              TEXT,
            description        TEXT,
            resource_group     TEXT,
            resource_provider  TEXT,
            resource_type      TEXT,
            subscription_id    TEXT,
            tenant_id          TEXT,
            claims             TEXT,
            authorization      TEXT,
            http_request       TEXT,
            dedupe_key         TEXT NOT NULL UNIQUE,
            operation          TEXT NOT NULL,
            time               TEXT NOT NULL,
            time_field         TEXT NOT NULL,
            resource_key       TEXT NOT NULL,
            shape              TEXT NOT NULL,
            fields             INTEGER NOT NULL,
            form               INTEGER NOT NULL,
            extra              TEXT,
            source_id          INTEGER NOT NULL REFERENCES sources(source_id),
            position           INTEGER NOT NULL
        ) STRICT;
        """,
        // 5: what each nightly run found, so the next one can say what changed since
        // (`cutover nightly`): one row per run, and per run its clusters, the pods blamed on a
        // missed round, the nodes still to reimage and the inputs with errors. And the "wiring
        // incomplete" finding as a field of each attribution, not only words in its explanation.
        """
        ALTER TABLE failure_results ADD COLUMN wiring_incomplete INTEGER NOT NULL DEFAULT 0;
        UPDATE failure_results SET wiring_incomplete = 1 WHERE explanation LIKE '%Wiring incomplete:%';
        DROP VIEW attributions;
        CREATE VIEW attributions AS
            SELECT failure_id, nullif(cluster, '') AS cluster, node, namespace, pod, category, reason, first_seen, last_seen,
                   count, verdict, missed_round, missed_rounds, confidence, explanation, event_uid, message, event_id,
                   wiring_incomplete
            FROM failure_results;

        CREATE TABLE nightly_runs (
            run_id           INTEGER PRIMARY KEY,
            night            TEXT NOT NULL,
            ran_at           TEXT NOT NULL,
            cutover_version  TEXT NOT NULL,
            shard            TEXT NOT NULL,
            pruned           INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE nightly_items (
            run_id           INTEGER NOT NULL REFERENCES nightly_runs(run_id),
            cluster          TEXT NOT NULL,
            kind             TEXT NOT NULL,
            item             TEXT NOT NULL,
            PRIMARY KEY (run_id, cluster, kind, item)
        ) STRICT;
        -- The schema version is read, not written in: a later migration need not recreate the view.
        DROP VIEW meta;
        CREATE VIEW meta AS
            SELECT 'schema' AS what, NULL AS ran_at, NULL AS cutover_version,
                   'version ' || (SELECT user_version FROM pragma_user_version) AS details
            UNION ALL
            SELECT 'ingest', ran_at, cutover_version,
                   arguments || coalesce(' --cluster ' || cluster, '') || ': ' || files || ' file(s), ' || records
                       || ' records, ' || rejects || ' rejects'
            FROM ingest_runs
            UNION ALL
            SELECT 'correlate', ran_at, cutover_version,
                   'playbook ' || playbook_source || ', milestones ' || given || coalesce(', cluster ' || given_cluster, '')
            FROM correlation_runs
            UNION ALL
            SELECT 'nightly', ran_at, cutover_version, 'night ' || night || ', shard ' || shard || ', ' || pruned || ' events pruned'
            FROM nightly_runs
            ORDER BY 2;
        """,
        // 6: the cohorts use the attribution the postmortem's round sections use. A node whose
        // failures are blamed on the round missed it, even when it was reimaged later (it had
        // counted as having it); a node that missed the round but whose failures are blamed on
        // another one is left out (it had counted as missing it without failing because of it).
        """
        DROP VIEW round_cohorts;
        CREATE VIEW round_cohorts AS
            WITH blame AS (
                SELECT r.cluster, r.round, r.node, r.status, r.bootstrapped_at,
                       EXISTS (SELECT 1 FROM failure_results a
                               WHERE a.cluster = r.cluster AND a.node = r.node
                                 AND a.verdict = 'missed_round' AND a.missed_round = r.round) AS blamed,
                       EXISTS (SELECT 1 FROM failure_results a
                               WHERE a.cluster = r.cluster AND a.node = r.node
                                 AND a.verdict = 'missed_round' AND a.missed_round <> r.round) AS blamed_elsewhere
                FROM node_round_results r
                WHERE r.status IN ('done', 'missed')),
            cohort AS (
                SELECT b.cluster, b.round,
                       CASE WHEN b.blamed THEN 'missed' WHEN b.status = 'missed' AND b.blamed_elsewhere THEN NULL
                            ELSE b.status END AS side,
                       CASE WHEN b.blamed THEN 1
                            WHEN b.status = 'done' THEN EXISTS (
                                SELECT 1 FROM failure_results a
                                WHERE a.cluster = b.cluster AND a.node = b.node AND a.first_seen >= b.bootstrapped_at
                                  AND a.verdict <> 'missed_round')
                            ELSE 0 END AS failing
                FROM blame b)
            SELECT nullif(c.cluster, '') AS cluster, c.round, m.name,
                   sum(c.side = 'done') AS nodes_with_round,
                   sum(c.side = 'done' AND c.failing) AS failing_with_round,
                   sum(c.side = 'missed') AS nodes_without_round,
                   sum(c.side = 'missed' AND c.failing) AS failing_without_round
            FROM cohort c JOIN milestone_results m ON m.cluster = c.cluster AND m.round = c.round
            GROUP BY c.cluster, c.round;

        -- Each node's scale set's resource group, found by correlation in the cluster's activity
        -- records (the report and `status` read it here, not from the raw records); the step
        -- after this SQL fills it in for a database correlated before.
        ALTER TABLE node_results ADD COLUMN resource_group TEXT;

        -- Files read before version 2 recorded no time span: take it from their records once,
        -- so the report's window reads `sources` alone (it scanned every event for such files).
        UPDATE sources SET
            first_time = (SELECT min(t) FROM (SELECT min(first_seen) AS t FROM kube_events e WHERE e.source_id = sources.source_id
                                              UNION ALL SELECT min(time) FROM activity_records a WHERE a.source_id = sources.source_id)),
            last_time = (SELECT max(t) FROM (SELECT max(last_seen) AS t FROM kube_events e WHERE e.source_id = sources.source_id
                                             UNION ALL SELECT max(time) FROM activity_records a WHERE a.source_id = sources.source_id))
            WHERE first_time IS NULL AND kube_events + activity_records > 0;
        DROP VIEW node_rounds;
        CREATE VIEW node_rounds AS
            SELECT nullif(r.cluster, '') AS cluster, r.node, n.vmss, n.instance_id, n.pool, r.round, r.bootstrapped_at, r.status,
                   n.resource_group
            FROM node_round_results r LEFT JOIN node_results n ON n.cluster = r.cluster AND n.node = r.node;
        """,
        // 7: the same cohorts, from each node's blamed rounds and latest other failure, each
        // found in one pass over the failures. Version 6 asked per node and round, several times
        // (a CTE is expanded where it is used), reading each node's failures through the node
        // index: 5.2 s on 97,874 failures, most of it SQLite re-reading 64 KiB table pages.
        """
        DROP VIEW round_cohorts;
        \(roundCohortsVersion7);
        """,
        // 8: a failure's message and explanation stored once per distinct text, in `failure_texts`:
        // 97,874 failures have 2,987 explanations and 10,525 messages, 36 MB of the table's 58 MB
        // that correlation wrote and the report read. `attributions` joins them back, its columns
        // as before (both joins outer: a row never drops out of the view). The ids declare no
        // foreign key: with one, SQLite deletes the old rows one by one where it drops their pages
        // (0.44 s against 0.06 s when correlation starts).
        """
        CREATE TABLE failure_texts (
            text_id          INTEGER PRIMARY KEY,
            text             TEXT NOT NULL UNIQUE
        ) STRICT;
        INSERT INTO failure_texts (text)
            SELECT explanation FROM failure_results UNION SELECT message FROM failure_results WHERE message IS NOT NULL;
        DROP VIEW attributions;
        DROP VIEW round_cohorts;
        CREATE TABLE failure_results_v8 (
            failure_id       INTEGER PRIMARY KEY,
            event_id         INTEGER NOT NULL,
            cluster          TEXT NOT NULL,
            node             TEXT,
            namespace        TEXT,
            pod              TEXT,
            category         TEXT NOT NULL,
            reason           TEXT NOT NULL,
            message_id       INTEGER,
            first_seen       TEXT NOT NULL,
            last_seen        TEXT NOT NULL,
            count            INTEGER NOT NULL,
            verdict          TEXT NOT NULL,
            missed_round     INTEGER,
            missed_rounds    TEXT,
            confidence       TEXT NOT NULL,
            explanation_id   INTEGER NOT NULL,
            event_uid        TEXT,
            wiring_incomplete INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        INSERT INTO failure_results_v8
            SELECT failure_id, event_id, cluster, node, namespace, pod, category, reason,
                   (SELECT text_id FROM failure_texts WHERE text = message), first_seen, last_seen, count, verdict,
                   missed_round, missed_rounds, confidence, (SELECT text_id FROM failure_texts WHERE text = explanation),
                   event_uid, wiring_incomplete
            FROM failure_results ORDER BY failure_id;
        DROP TABLE failure_results;
        ALTER TABLE failure_results_v8 RENAME TO failure_results;
        CREATE INDEX failure_results_by_node ON failure_results(cluster, node, first_seen);
        CREATE VIEW attributions AS
            SELECT f.failure_id, nullif(f.cluster, '') AS cluster, f.node, f.namespace, f.pod, f.category, f.reason,
                   f.first_seen, f.last_seen, f.count, f.verdict, f.missed_round, f.missed_rounds, f.confidence,
                   e.text AS explanation, f.event_uid, m.text AS message, f.event_id, f.wiring_incomplete
            FROM failure_results f
            LEFT JOIN failure_texts e ON e.text_id = f.explanation_id
            LEFT JOIN failure_texts m ON m.text_id = f.message_id;
        \(roundCohortsVersion7);
        """,
    ]

    /// Version 7's `round_cohorts` (migration 8 creates it again over the new `failure_results`).
    /// NOT INDEXED: the scan reads the table once; the node index would visit it in node order,
    /// a page per row.
    static let roundCohortsVersion7 = """
        CREATE VIEW round_cohorts AS
            WITH blamed AS (
                SELECT cluster, node, missed_round AS round FROM failure_results NOT INDEXED
                WHERE verdict = 'missed_round' GROUP BY cluster, node, missed_round),
            blamed_rounds AS (
                SELECT cluster, node, count(round) AS rounds FROM blamed GROUP BY cluster, node),
            other AS (
                SELECT cluster, node, max(first_seen) AS latest FROM failure_results NOT INDEXED
                WHERE verdict <> 'missed_round' GROUP BY cluster, node),
            blame AS (
                SELECT r.cluster, r.round, r.status,
                       x.round IS NOT NULL AS blamed,
                       coalesce(n.rounds, 0) > (x.round IS NOT NULL) AS blamed_elsewhere,
                       coalesce(o.latest >= r.bootstrapped_at, 0) AS failing_otherwise
                FROM node_round_results r
                LEFT JOIN blamed x ON x.cluster = r.cluster AND x.node = r.node AND x.round = r.round
                LEFT JOIN blamed_rounds n ON n.cluster = r.cluster AND n.node = r.node
                LEFT JOIN other o ON o.cluster = r.cluster AND o.node = r.node
                WHERE r.status IN ('done', 'missed')),
            cohort AS (
                SELECT b.cluster, b.round,
                       CASE WHEN b.blamed THEN 'missed' WHEN b.status = 'missed' AND b.blamed_elsewhere THEN NULL
                            ELSE b.status END AS side,
                       CASE WHEN b.blamed THEN 1 WHEN b.status = 'done' THEN b.failing_otherwise ELSE 0 END AS failing
                FROM blame b)
            SELECT nullif(c.cluster, '') AS cluster, c.round, m.name,
                   sum(c.side = 'done') AS nodes_with_round,
                   sum(c.side = 'done' AND c.failing) AS failing_with_round,
                   sum(c.side = 'missed') AS nodes_without_round,
                   sum(c.side = 'missed' AND c.failing) AS failing_without_round
            FROM cohort c JOIN milestone_results m ON m.cluster = c.cluster AND m.round = c.round
            GROUP BY c.cluster, c.round
        """

    public static var version: Int { migrations.count }

    /// Work a migration does in Swift after its SQL, keyed by the version it leads to.
    static let steps: [Int: @Sendable (Database) throws -> Void] = [
        4: { db in
            try reencodeVersion3(db)
            try db.execute(afterReencoding)
        },
        6: { db in try fillScaleSetGroups(db) },
    ]

    /// Version 6: the resource group of each correlated node's scale set, from the first
    /// activity record that names the scale set (as correlation now finds it, per cluster).
    static func fillScaleSetGroups(_ db: Database) throws {
        let groups = ScaleSetInstance.firstResourceGroups(
            try db.rows(
                "SELECT resource_id FROM activity_records WHERE resource_key LIKE '%/virtualmachinescalesets/%' ORDER BY record_id"
            ).map { $0[0].text })
        let update = try db.prepare("UPDATE node_results SET resource_group = ?2 WHERE lower(vmss) = ?1")
        for (vmss, group) in groups.sorted(by: { $0.key < $1.key }) { try update.run([.text(vmss), .text(group)]) }
    }

    static let afterReencoding = """
        DROP TABLE kube_events_v3;
        DROP TABLE activity_records_v3;
        \(EventStore.eventIndexesSQL)
        CREATE INDEX activity_records_by_operation ON activity_records(operation, status);
        \(RecordLayout.kubeEvents.jsonView);
        \(RecordLayout.activityRecords.jsonView);
        """

    /// Moves the rows of a version-3 database into the version-4 tables: each record is decoded
    /// again from its `raw` text and encoded as ingest does now, keeping its id, place and what
    /// folding and `--cluster` made of it (cluster, count, first and last sighting, an adopted
    /// eventDataId). A `raw` that no longer decodes as a record is kept whole in `extra` (as
    /// `{"raw": "…"}` when it is not even a JSON object).
    static func reencodeVersion3(_ db: Database) throws {
        var json = JSONIndex()
        let decoder = RecordDecoder()
        var values: [StoredValue] = []
        var arena: [UInt8] = []
        let kube = RecordLayout.kubeEvents
        var kubeRows = RowEncoder(kube)
        let insertEvent = try db.prepare(kube.insertSQL(withID: true))
        let events = try db.prepare(
            """
            SELECT event_id, raw, cluster, count, first_seen, last_seen, source_id, position, time_field, shape
            FROM kube_events_v3 ORDER BY event_id
            """)
        while try events.step() {
            values.removeAll(keepingCapacity: true)
            arena.removeAll(keepingCapacity: true)
            let raw = events.string(1) ?? ""
            let first = events.string(4).flatMap { try? Timestamp.parse($0) } ?? Timestamp(millis: 0)
            let last = events.string(5).flatMap { try? Timestamp.parse($0) } ?? first
            let parsed = (try? json.load(raw)) != nil && json.kind(JSONIndex.root) == .object
            if parsed, case .kubeEvent(var event)? = try? decoder.decodeInPlace(json) {
                event.cluster = .given(events.string(2))
                event.count = events.int(3) ?? event.count
                event.firstSeen = first
                event.lastSeen = last
                kubeRows.encode(json, event, into: &values, arena: &arena)
            } else {
                values = kube.fields.map { $0.name == "count" ? .integer(Int64(events.int(3) ?? 1)) : .null }
                values += [.text(first.description), .text(last.description), StoredValue(events.string(8)), StoredValue(events.string(9))]
                values += [.integer(0), .integer(0), .text(parsed ? raw : "{\"raw\":" + JSONText.quote(raw) + "}")]
            }
            try insertRow(insertEvent, id: events.int(0), values, arena, source: events.int(6), position: events.int(7))
        }
        let activity = RecordLayout.activityRecords
        var activityRows = RowEncoder(activity)
        let insertActivity = try db.prepare(activity.insertSQL(withID: true))
        let records = try db.prepare(
            """
            SELECT record_id, raw, dedupe_key, event_data_id, source_id, position, operation_name, status, time, time_field,
                   resource_id, shape
            FROM activity_records_v3 ORDER BY record_id
            """)
        let dedupeColumn = activity.fields.count + activity.otherColumns.firstIndex(of: "dedupe_key")!
        while try records.step() {
            values.removeAll(keepingCapacity: true)
            arena.removeAll(keepingCapacity: true)
            let raw = records.string(1) ?? ""
            let parsed = (try? json.load(raw)) != nil && json.kind(JSONIndex.root) == .object
            if parsed, case .activity(var record)? = try? decoder.decode(json) {
                record.eventDataId = records.string(3)
                activityRows.encode(json, record, into: &values, arena: &arena)
                values[dedupeColumn] = StoredValue(records.string(2))
            } else {
                let time = records.string(8) ?? ""
                values = activity.fields.map { field in
                    switch field.name {
                    case "operation_name": StoredValue(records.string(6))
                    case "status": StoredValue(records.string(7))
                    case "resource_id": StoredValue(records.string(10))
                    case "event_data_id": StoredValue(records.string(3))
                    default: .null
                    }
                }
                values += [
                    StoredValue(records.string(2)), StoredValue(records.string(6)?.lowercased()), .text(time),
                    StoredValue(records.string(9)), StoredValue(records.string(10)?.lowercased()), StoredValue(records.string(11)),
                ]
                values += [.integer(0), .integer(0), .text(parsed ? raw : "{\"raw\":" + JSONText.quote(raw) + "}")]
            }
            try insertRow(insertActivity, id: records.int(0), values, arena, source: records.int(4), position: records.int(5))
        }
    }

    private static func insertRow(_ s: Statement, id: Int?, _ values: [StoredValue], _ arena: [UInt8], source: Int?, position: Int?) throws
    {
        try s.bind(1, id)
        defer { s.reset() }
        // The arena's texts are bound in place: stepped while it is borrowed.
        try arena.withUnsafeBytes { arena in
            let index = try s.bind(values, arena: arena, from: 2)
            try s.bind(index, source)
            try s.bind(index + 1, position)
            try s.step()
        }
    }

    /// Brings `db` to the current version; a newer database than this binary knows is refused.
    public static func migrate(_ db: Database) throws {
        guard try db.int("PRAGMA user_version") < migrations.count else {
            try refuseNewer(db)
            return
        }
        // Two processes opening a new database at once: the write lock of BEGIN IMMEDIATE
        // makes the second wait, and it reads the version again once it has the lock.
        try db.execute("BEGIN IMMEDIATE")
        do {
            let current = try db.int("PRAGMA user_version")
            for version in current..<max(current, migrations.count) {
                try db.execute(migrations[version])
                try steps[version + 1]?(db)
                try db.execute("PRAGMA user_version = \(version + 1)")
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    static func refuseNewer(_ db: Database) throws {
        let current = try db.int("PRAGMA user_version")
        guard current <= migrations.count else {
            throw SQLiteError(
                code: 0,
                message: "\(db.path) has schema version \(current), newer than this cutover (\(migrations.count)): "
                    + "upgrade cutover or use another --db")
        }
    }
}
