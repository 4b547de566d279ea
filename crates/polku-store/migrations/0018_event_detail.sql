-- A case event may carry structured detail beside its text: the machine's referral reason
-- (the registers that stayed silent, each finding as a condition and its status, or an
-- error) as JSON, so the key figures count it without parsing prose. Events written before
-- this have NULL and are read from their text.
ALTER TABLE case_events ADD COLUMN detail_json TEXT;
