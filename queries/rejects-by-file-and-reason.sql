-- Question: how many records of each file could not be read, and why?
-- Columns:  file, reason, rejects, first_line
-- Example:  cutover query rejects-by-file-and-reason
SELECT s.name AS file, r.reason, count(*) AS rejects, min(r.line) AS first_line
FROM rejects r JOIN sources s USING (source_id)
GROUP BY s.name, r.reason
ORDER BY rejects DESC, file, r.reason;
