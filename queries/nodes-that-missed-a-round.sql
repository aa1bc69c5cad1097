-- Question: which nodes missed a round, and how many failures did each cause?
-- Columns:  cluster, round, node, pool, failures, first_failure, last_failure
-- Example:  cutover query nodes-that-missed-a-round
SELECT nullif(a.cluster, '') AS cluster, a.missed_round AS round, a.node, n.pool, count(*) AS failures,
       min(a.first_seen) AS first_failure, max(a.last_seen) AS last_failure
FROM failure_results a LEFT JOIN node_results n ON n.cluster = a.cluster AND n.node = a.node
WHERE a.verdict = 'missed_round'
GROUP BY a.cluster, a.missed_round, a.node
ORDER BY a.cluster, a.missed_round, a.node;
