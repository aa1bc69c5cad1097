-- Question: which files were ingested, what did each contribute, and which time does each cover?
-- Columns:  file, status, first_time, last_time, kube_events, normal_events, activity_records, node_group_records, duplicates, skipped, rejects, problem
-- Example:  cutover query inputs
SELECT name AS file, status, first_time, last_time, kube_events, normal_events, activity_records, node_group_records,
       duplicates, skipped, rejects, problem
FROM sources
ORDER BY name, source_id;
