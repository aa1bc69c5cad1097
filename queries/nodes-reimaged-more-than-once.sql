-- Question: which nodes bootstrapped more than once in the window, and how?
-- Columns:  cluster, node, bootstraps, first, last, kinds
-- Example:  cutover query nodes-reimaged-more-than-once
SELECT cluster, node, count(*) AS bootstraps, min(time) AS first, max(time) AS last, group_concat(DISTINCT kind) AS kinds
FROM bootstrap_results
WHERE strength IN ('per_node', 'weak')
GROUP BY cluster, node
HAVING count(*) > 1
ORDER BY cluster, bootstraps DESC, node;
