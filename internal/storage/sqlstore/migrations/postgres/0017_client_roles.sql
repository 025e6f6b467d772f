-- Latchkey schema 21: client roles.
--
-- A client holds roles (ids of the fixed catalog in package clientroles, as a JSON list) that
-- decide which APIs its token may call. Clients of ordinary applications that exist already
-- get the default role, which grants what any such client could call before roles existed;
-- management applications' clients hold none (their token is the admin token).
ALTER TABLE clients ADD COLUMN role_ids TEXT NOT NULL DEFAULT '[]';
UPDATE clients SET role_ids = '["application"]'
 WHERE app_id IN (SELECT id FROM applications WHERE kind <> 'management');
