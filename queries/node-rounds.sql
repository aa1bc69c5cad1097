-- Question: did each node bootstrap after each milestone, and when?
-- Columns:  node, pool, round, bootstrapped_at, status
-- Example:  cutover query node-rounds --format markdown
SELECT node, pool, round, bootstrapped_at, status
FROM node_rounds
ORDER BY node, round;
