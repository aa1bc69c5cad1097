-- Question: what happened to one node, in time order: its bootstraps and reboots, the rounds it had or missed, and its failures?
-- Columns:  cluster, time, what, detail
-- Example:  cutover query node-history --param node=aks-batch-75596582-vmss000004
SELECT nullif(cluster, '') AS cluster, time, kind AS what, evidence AS detail
FROM bootstrap_results WHERE node = lower(:node)
UNION ALL
SELECT nullif(r.cluster, ''), coalesce(r.bootstrapped_at, m.effective_time), 'round ' || r.round || ': ' || r.status, m.name
FROM node_round_results r JOIN milestone_results m ON m.cluster = r.cluster AND m.round = r.round
WHERE r.node = lower(:node)
UNION ALL
SELECT cluster, first_seen, 'failure: ' || verdict, reason || ' ' || coalesce(pod, '') || ': ' || substr(coalesce(message, ''), 1, 160)
FROM attributions WHERE node = lower(:node)
ORDER BY 2, 3;
