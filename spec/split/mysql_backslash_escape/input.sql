SELECT 'it\'s; ok', "say \"hi;\""; SELECT 2;
