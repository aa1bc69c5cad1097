-- Question: when did each round take effect, and what is the evidence?
-- Columns:  round, name, effective_time, source, evidence
-- Example:  cutover query milestones
SELECT round, name, effective_time, source, evidence
FROM milestones
ORDER BY round;
