-- Question: after each milestone, when did the first failure blamed on it come, and where?
-- Columns:  cluster, round, effective_time, first_failure, minutes_after, node, pod
-- Example:  cutover query first-failure-after-each-milestone
WITH firsts AS (
    SELECT cluster, missed_round, first_seen, node, namespace, pod,
           row_number() OVER (PARTITION BY cluster, missed_round ORDER BY first_seen, failure_id) AS k
    FROM attributions WHERE verdict = 'missed_round')
SELECT m.cluster, m.round, m.effective_time, f.first_seen AS first_failure,
       CAST(round((julianday(f.first_seen) - julianday(m.effective_time)) * 1440) AS INTEGER) AS minutes_after,
       f.node, f.namespace || '/' || f.pod AS pod
FROM milestones m
JOIN firsts f ON coalesce(f.cluster, '') = coalesce(m.cluster, '') AND f.missed_round = m.round AND f.k = 1
ORDER BY m.cluster, m.round;
