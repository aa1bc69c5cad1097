-- Question: which namespaces and workloads were hit, how many pods, and for how long?
-- Columns:  cluster, namespace, workload, pods, failures, first_failure, last_failure, minutes
-- Example:  cutover query impact-by-workload
-- A workload is the pod name without its generated suffixes (`cart-7d9f8c6b5-x2k4q` → `cart`).
SELECT cluster, namespace,
       CASE WHEN instr(pod, '-') > 0 THEN substr(pod, 1, instr(pod, '-') - 1) ELSE pod END AS workload,
       count(DISTINCT pod) AS pods, count(*) AS failures, min(first_seen) AS first_failure, max(last_seen) AS last_failure,
       CAST(round((julianday(max(last_seen)) - julianday(min(first_seen))) * 1440) AS INTEGER) AS minutes
FROM attributions
GROUP BY cluster, namespace, workload
ORDER BY cluster, pods DESC, namespace, workload;
