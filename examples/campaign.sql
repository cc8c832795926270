-- The worked example's campaign (examples/campaign.hpp) as rows: run `warden schema --db FILE`,
-- then `sqlite3 FILE < examples/campaign.sql`. Times are epoch seconds (2026-02-03T12:00:00Z = 1770120000).
BEGIN;
INSERT INTO jobs VALUES(3,'cihr-20260101','cihr','/srv/crawls/cihr-20260101','running','annual',2026,1767225600,1767398400,NULL,1770119940,NULL,0,NULL,'',20,50,50,2,NULL,NULL,0,3,NULL,NULL,NULL,NULL,NULL);
INSERT INTO jobs VALUES(5,'hc-20260101','hc','/srv/crawls/hc-20260101','running','annual',2026,1767225600,1767312000,NULL,1770114600,NULL,0,NULL,'',5,10,10,1,NULL,NULL,0,3,NULL,NULL,NULL,NULL,NULL);
INSERT INTO jobs VALUES(7,'phac-20260101','phac','/srv/crawls/phac-20260101','retryable','annual',2026,1767225600,1767312000,NULL,1770119880,NULL,1,NULL,'',20,50,50,2,NULL,NULL,0,3,NULL,NULL,NULL,NULL,NULL);
INSERT INTO jobs VALUES(9,'phac-covid-20260101','phac','/srv/crawls/phac-covid-20260101','queued',NULL,NULL,1767225600,NULL,NULL,NULL,NULL,0,NULL,'',0,0,0,0,NULL,NULL,0,1,NULL,NULL,NULL,NULL,NULL);
INSERT INTO jobs VALUES(11,'hc-news-20260101','hc','/srv/crawls/hc-news-20260101','retryable','annual',2026,1767225600,NULL,NULL,NULL,NULL,3,NULL,'',20,50,50,2,NULL,NULL,0,3,NULL,NULL,NULL,NULL,NULL);
INSERT INTO jobs VALUES(12,'cihr-grants-20260101','cihr','/srv/crawls/cihr-grants-20260101','queued','annual',2026,1767247200,NULL,NULL,NULL,NULL,0,NULL,'',20,50,50,2,NULL,NULL,0,3,NULL,NULL,NULL,NULL,NULL);
INSERT INTO jobs VALUES(15,'phac-export','phac','/srv/crawls/phac-export','retryable',NULL,NULL,1769904000,NULL,NULL,NULL,NULL,2,NULL,'zimit: error: unrecognized arguments: --pageLimit=abc',0,0,0,0,NULL,NULL,0,6,NULL,NULL,NULL,NULL,NULL);
INSERT INTO jobs VALUES(16,'hc-forms-20260101','hc','/srv/crawls/hc-forms-20260101','queued','annual',2026,1767225600,1767484800,NULL,NULL,NULL,0,NULL,'',20,50,50,2,NULL,'persist',1,3,NULL,NULL,NULL,NULL,NULL);
INSERT INTO job_starts VALUES(11,1770084000);
INSERT INTO job_starts VALUES(11,1770098400);
INSERT INTO job_starts VALUES(11,1770112800);
INSERT INTO job_starts VALUES(5,1769936400);
COMMIT;
