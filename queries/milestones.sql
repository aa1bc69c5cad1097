-- Question: when did each cluster's rounds take effect, and what is the evidence?
-- Columns:  cluster, round, name, effective_time, source, evidence
-- Example:  cutover query milestones
SELECT cluster, round, name, effective_time, source, evidence
FROM milestones
ORDER BY cluster, round;
