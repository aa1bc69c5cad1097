-- Question: what caused each image-pull or add-on failure?
-- Columns:  first_seen, node, namespace, pod, reason, count, verdict, missed_round, confidence, explanation
-- Example:  cutover query attributions --format csv > attributions.csv
SELECT first_seen, node, namespace, pod, reason, count, verdict, missed_round, confidence, explanation
FROM attributions
ORDER BY first_seen, node, pod, reason, failure_id;
