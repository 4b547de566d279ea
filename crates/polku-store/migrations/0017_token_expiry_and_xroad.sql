-- API tokens expire, and a token may be issued to a member and subsystem of the national
-- exchange layer (X-Road): that organisation's calls are identified by the token, and an
-- X-Road-Client header that disagrees with it is refused. Tokens issued before this expire
-- 90 days after they were made.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN x_road_client TEXT;
UPDATE api_tokens SET expires_at = created_at + 7776000000000 WHERE expires_at IS NULL;
