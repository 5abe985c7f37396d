-- A completed upload's parts are forgotten 7 days after they were stored (issue 23,
-- docs/capacity.md): `upload_parts` kept a row per 8 MiB part of every upload ever made (11 MB a
-- day at 10 million views, 3.9 GB after a year), read only while the upload is open (to resume
-- and to complete it) and by `GET /videos/upload/{id}` after. The cron deletes the parts of
-- completed uploads older than that (`pruneUploadParts`), a batch at a time through this index.
CREATE INDEX `upload_parts_created` ON `upload_parts` (`created_at`);
