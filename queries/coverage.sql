-- Question: which kinds of evidence do the inputs hold for each cluster, over which time, and what does a missing one cost?
-- Columns:  cluster, source, present, windows, if_missing
-- Example:  cutover query coverage
SELECT nullif(cluster, '') AS cluster, source, present, windows, if_missing
FROM coverage_results
ORDER BY cluster, source;
