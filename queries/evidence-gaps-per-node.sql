-- Question: which nodes have no per-node evidence of a bootstrap, so their rounds rest on weaker signs?
-- Columns:  cluster, node, pool, first_seen, strongest_evidence, failures
-- Example:  cutover query evidence-gaps-per-node
SELECT n.cluster, n.node, n.pool, n.first_seen,
       coalesce((SELECT b.strength FROM bootstrap_results b WHERE b.cluster = n.cluster AND b.node = n.node AND b.strength = 'weak' LIMIT 1),
                'first_seen only') AS strongest_evidence,
       (SELECT count(*) FROM failure_results f WHERE f.cluster = n.cluster AND f.node = n.node) AS failures
FROM node_results n
WHERE NOT EXISTS (SELECT 1 FROM bootstrap_results b WHERE b.cluster = n.cluster AND b.node = n.node AND b.strength = 'per_node')
ORDER BY n.cluster, failures DESC, n.node;
