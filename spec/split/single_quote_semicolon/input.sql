SELECT 'a;b'; SELECT 'it''s; ok'; SELECT ''';';
