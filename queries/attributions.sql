-- Question: what caused each image-pull or add-on failure?
-- Columns:  cluster, first_seen, node, namespace, pod, reason, count, verdict, missed_round, confidence, explanation
-- Example:  cutover query attributions --format csv > attributions.csv
SELECT cluster, first_seen, node, namespace, pod, reason, count, verdict, missed_round, confidence, explanation
FROM attributions
ORDER BY cluster, first_seen, node, pod, reason, failure_id;
