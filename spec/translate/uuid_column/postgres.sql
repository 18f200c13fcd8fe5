-- up
CREATE TABLE api_keys (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    label VARCHAR(40) NOT NULL
);
INSERT INTO api_keys (id, label) VALUES ('0d7ea6b2-4a5c-4c1e-9f43-2b6c1f1e8a11', 'ci');
-- down
DROP TABLE api_keys;
