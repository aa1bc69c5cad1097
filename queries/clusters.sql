-- Question: which clusters does the database hold, and how much of the inputs is each one's?
-- Columns:  cluster, resource_id, node_resource_group, events_correlated, activity_correlated, nodes, failures
-- Example:  cutover query clusters
-- Failures whose event could be tied to no cluster have the verdict no_cluster and are in no row here.
SELECT cluster, resource_id, node_resource_group, events_correlated, activity_correlated, nodes, failures
FROM clusters
ORDER BY cluster;
