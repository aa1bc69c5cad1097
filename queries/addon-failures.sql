-- Question: which AKS add-ons failed, on how many nodes, and from when to when?
-- Columns:  cluster, addon, pods, nodes, failures, first_failure, last_failure, missed_round_failures
-- Example:  cutover query addon-failures
SELECT cluster, CASE WHEN instr(pod, '-') > 0 THEN substr(pod, 1, instr(pod, '-') - 1) ELSE pod END AS addon,
       count(DISTINCT pod) AS pods, count(DISTINCT node) AS nodes, count(*) AS failures,
       min(first_seen) AS first_failure, max(last_seen) AS last_failure,
       sum(verdict = 'missed_round') AS missed_round_failures
FROM attributions
WHERE category = 'addon'
GROUP BY cluster, addon
ORDER BY cluster, failures DESC, addon;
