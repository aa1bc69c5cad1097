-- Question: per node pool and round, how many nodes are behind (to choose `az aks nodepool upgrade` over per-instance reimages)?
-- Columns:  cluster, pool, round, nodes, done, missed, gone, share_missed
-- Example:  cutover query pool-summary
SELECT cluster, pool, round, count(*) AS nodes, sum(status = 'done') AS done, sum(status = 'missed') AS missed,
       sum(status = 'gone') AS gone,
       printf('%d %%', 100 * sum(status = 'missed') / max(1, count(*) - sum(status = 'gone'))) AS share_missed
FROM node_rounds
WHERE status IN ('done', 'missed', 'gone')
GROUP BY cluster, pool, round
ORDER BY cluster, pool, round;
