-- Question: how did the failures of each round spread over time, in 5-minute buckets?
-- Columns:  cluster, round, bucket, failures, pods, nodes
-- Example:  cutover query failures-per-round-per-5-minutes --format csv
SELECT cluster, coalesce(missed_round, 0) AS round,
       strftime('%Y-%m-%dT%H:', first_seen) || printf('%02d', (CAST(strftime('%M', first_seen) AS INTEGER) / 5) * 5) || ':00Z' AS bucket,
       count(*) AS failures, count(DISTINCT namespace || '/' || pod) AS pods, count(DISTINCT node) AS nodes
FROM attributions
GROUP BY cluster, round, bucket
ORDER BY cluster, bucket, round;
