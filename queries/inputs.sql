-- Question: which files were ingested, and what did each contribute?
-- Columns:  file, status, kube_events, activity_records, duplicates, skipped, rejects, problem
-- Example:  cutover query inputs
SELECT name AS file, status, kube_events, activity_records, duplicates, skipped, rejects, problem
FROM sources
ORDER BY name, source_id;
