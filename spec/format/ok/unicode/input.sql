-- +up
INSERT INTO café (naïve) VALUES ('日本語; ok');
SELECT 'é'; SELECT 2;
