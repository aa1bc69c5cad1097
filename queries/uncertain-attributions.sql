-- Question: which attributions are medium or low confidence, and why?
-- Columns:  cluster, first_seen, node, pod, verdict, missed_round, confidence, explanation
-- Example:  cutover query uncertain-attributions
SELECT cluster, first_seen, node, namespace || '/' || pod AS pod, verdict, missed_round, confidence, explanation
FROM attributions
WHERE confidence <> 'high'
ORDER BY cluster, confidence, first_seen, node;
