-- Question: for each cluster and round, did nodes that missed it fail more than nodes that had it?
-- Columns:  cluster, round, name, nodes_with_round, failing_with_round, nodes_without_round, failing_without_round
-- Example:  cutover query round-cohorts
-- The view's definition (Sources/CutoverKit/Store/Schema.swift) says what counts as failing.
SELECT cluster, round, name, nodes_with_round, failing_with_round, nodes_without_round, failing_without_round
FROM round_cohorts
ORDER BY cluster, round;
