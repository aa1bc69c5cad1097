-- Question: after each milestone, when did the first failure blamed on it come, and where?
-- Columns:  cluster, round, effective_time, first_failure, minutes_after, node, pod
-- Example:  cutover query first-failure-after-each-milestone
SELECT m.cluster, m.round, m.effective_time, a.first_seen AS first_failure,
       CAST(round((julianday(a.first_seen) - julianday(m.effective_time)) * 1440) AS INTEGER) AS minutes_after,
       a.node, a.namespace || '/' || a.pod AS pod
FROM milestones m
JOIN attributions a ON a.failure_id = (
    SELECT failure_id FROM attributions x
    WHERE coalesce(x.cluster, '') = coalesce(m.cluster, '') AND x.missed_round = m.round
    ORDER BY x.first_seen, x.failure_id LIMIT 1)
ORDER BY m.cluster, m.round;
