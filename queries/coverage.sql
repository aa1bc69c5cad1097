-- Question: which kinds of evidence do the inputs hold, over which time, and what does a missing one cost?
-- Columns:  source, present, windows, if_missing
-- Example:  cutover query coverage
SELECT source, present, windows, if_missing
FROM coverage_results
ORDER BY source;
