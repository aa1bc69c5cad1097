-- Question: which instances of which scale set still need a reimage, one command per scale set?
-- Columns:  cluster, round, resource_group, vmss, instances, instance_ids
-- Example:  cutover query remediation-by-scale-set
-- Feed them to `az vmss reimage -g RESOURCE_GROUP -n VMSS --instance-ids ...` (resource_group is
-- NULL when no activity record named the scale set: then it is the cluster's node resource group;
-- `cutover status` prints the command with the resource group, checked and quoted).
SELECT cluster, round, resource_group, vmss, count(*) AS instances, group_concat(instance_id, ' ') AS instance_ids
FROM (SELECT cluster, round, resource_group, vmss, instance_id FROM node_rounds WHERE status = 'missed' AND vmss IS NOT NULL
      ORDER BY cluster, round, vmss, instance_id)
GROUP BY cluster, round, vmss
ORDER BY cluster, round, vmss;
