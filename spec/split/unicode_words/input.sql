SELECT naïve FROM café; SELECT '日本;語';
