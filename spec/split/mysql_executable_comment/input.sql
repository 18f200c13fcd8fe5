/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_CHECKS = @@FOREIGN_KEY_CHECKS */;
SELECT 1 /* a plain comment */;
