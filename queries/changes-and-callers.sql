-- Question: who made each cluster change and reimage, and when did it start and succeed?
-- Columns:  time, status, operation, resource, caller
-- Example:  cutover query changes-and-callers --format markdown
SELECT time, status, operation_name AS operation, resource_id AS resource, caller
FROM activity_records
WHERE operation LIKE 'microsoft.containerservice/managedclusters/%'
   OR operation LIKE 'microsoft.compute/virtualmachinescalesets/%'
ORDER BY time, record_id;
