-- Question: which registries did the failing pulls go to, and with which kind of error?
-- Columns:  cluster, registry, error, failures, pods, nodes
-- Example:  cutover query pulls-by-registry-and-error
-- A rough cut in SQL of what each explanation reads from the text (docs/DOMAIN.md §6).
SELECT cluster,
       CASE WHEN message LIKE '%azurecr.io%' THEN 'private ACR' WHEN message LIKE '%mcr.microsoft.com%' THEN 'mcr.microsoft.com'
            WHEN message LIKE '%docker.io%' THEN 'docker.io' ELSE 'other or none named' END AS registry,
       CASE WHEN message LIKE '%no such host%' THEN 'DNS' WHEN message LIKE '%i/o timeout%' THEN 'time-out'
            WHEN message LIKE '%403 Forbidden%' THEN '403' WHEN message LIKE '%401 Unauthorized%' THEN '401'
            WHEN message LIKE '%429 Too Many Requests%' OR message LIKE '%toomanyrequests%' THEN '429'
            WHEN message LIKE '%manifest unknown%' OR message LIKE '%not found%' THEN 'not found' ELSE 'other' END AS error,
       count(*) AS failures, count(DISTINCT pod) AS pods, count(DISTINCT node) AS nodes
FROM attributions
WHERE category = 'image_pull' OR message LIKE 'Failed to pull image%'
GROUP BY cluster, registry, error
ORDER BY cluster, failures DESC, registry, error;
