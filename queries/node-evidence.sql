-- Question: what evidence of reimages and reboots does each node have?
-- Columns:  cluster, node, time, kind, strength, evidence, node_generation
-- Example:  cutover query node-evidence
-- A name reused by a new node (an instance id handed out again) keeps one history; node_generation
-- says which node a row belongs to: 'earlier' for the node that carried the name before recreated_at.
SELECT nullif(b.cluster, '') AS cluster, b.node, b.time, b.kind, b.strength, b.evidence,
       CASE WHEN n.recreated_at IS NOT NULL AND b.time < n.recreated_at THEN 'earlier' ELSE 'current' END AS node_generation
FROM bootstrap_results b LEFT JOIN node_results n ON n.cluster = b.cluster AND n.node = b.node
ORDER BY b.cluster, b.node, b.time, b.kind;
