-- Question: for each node that failed from a missed round, how long from its first failure to its next bootstrap?
-- Columns:  cluster, node, first_failure, next_bootstrap, minutes
-- Example:  cutover query failure-to-reimage
-- next_bootstrap is NULL for a node not reimaged since: it still needs one.
WITH first AS (
    SELECT cluster, node, min(first_seen) AS first_failure FROM failure_results
    WHERE verdict = 'missed_round' GROUP BY cluster, node),
next AS (
    SELECT f.cluster, f.node, f.first_failure,
           (SELECT min(b.time) FROM bootstrap_results b
            WHERE b.cluster = f.cluster AND b.node = f.node AND b.time > f.first_failure
              AND b.strength IN ('per_node', 'weak')) AS next_bootstrap
    FROM first f)
SELECT nullif(cluster, '') AS cluster, node, first_failure, next_bootstrap,
       CAST(round((julianday(next_bootstrap) - julianday(first_failure)) * 1440) AS INTEGER) AS minutes
FROM next
ORDER BY cluster, first_failure, node;
