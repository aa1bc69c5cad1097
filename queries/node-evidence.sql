-- Question: what evidence of reimages and reboots does each node have?
-- Columns:  node, time, kind, strength, evidence
-- Example:  cutover query node-evidence
SELECT node, time, kind, strength, evidence
FROM bootstrap_results
ORDER BY node, time, kind;
