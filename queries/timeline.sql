-- Question: what happened when, in one list: milestones, bootstraps and the first failure of each pod?
-- Columns:  cluster, time, what, node, detail
-- Example:  cutover query timeline --format csv > timeline.csv
SELECT cluster, effective_time AS time, 'milestone ' || round || ' ' || name AS what, NULL AS node, source || ': ' || evidence AS detail
FROM milestones WHERE effective_time IS NOT NULL
UNION ALL
SELECT nullif(cluster, ''), time, 'bootstrap (' || kind || ')', node, evidence
FROM bootstrap_results WHERE strength IN ('per_node', 'weak')
UNION ALL
SELECT cluster, min(first_seen), 'failure (' || verdict || ')', node, namespace || '/' || pod
FROM attributions GROUP BY cluster, node, namespace, pod, verdict
ORDER BY 2, 3, 4;
