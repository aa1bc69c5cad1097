-- Question: which input records could not be read, where, and why?
-- Columns:  file, line, byte_offset, reason, snippet
-- Example:  cutover query rejects
SELECT s.name AS file, r.line, r.position AS byte_offset, r.reason, substr(r.snippet, 1, 120) AS snippet
FROM rejects r JOIN sources s USING (source_id)
ORDER BY s.name, r.position;
