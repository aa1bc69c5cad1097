-- Question: did each node bootstrap after each milestone of its cluster, and when?
-- Columns:  cluster, node, pool, round, bootstrapped_at, status
-- Example:  cutover query node-rounds --format markdown
SELECT cluster, node, pool, round, bootstrapped_at, status
FROM node_rounds
ORDER BY cluster, node, round;
