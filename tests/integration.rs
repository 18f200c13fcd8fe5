//! Integration tests: the real `sqlmig` binary against real databases.
//!
//! Every test runs the binary in a fresh temporary project folder (see
//! [`helpers::Project`]) against its own database (see [`helpers::TestDb`]): a SQLite file
//! in a temporary folder, or a uniquely named database on the PostgreSQL and MariaDB/MySQL
//! servers named by `SQLMIG_TEST_POSTGRES_URL` and `SQLMIG_TEST_MYSQL_URL`, dropped when the
//! test ends. A test whose server does not answer prints `SKIP ...` and passes, unless
//! `SQLMIG_REQUIRE_SERVERS=1`.
//!
//! Tests written with `backend_test!` run once per backend, as `<test>::sqlite`,
//! `<test>::postgres` and `<test>::mysql`.

#[macro_use]
#[path = "integration/helpers.rs"]
mod helpers;

#[path = "integration/apply.rs"]
mod apply;
#[path = "integration/connection.rs"]
mod connection;
#[path = "integration/failures.rs"]
mod failures;
#[path = "integration/import.rs"]
mod import;
#[path = "integration/json.rs"]
mod json;
#[path = "integration/locking.rs"]
mod locking;
#[path = "integration/malformed.rs"]
mod malformed;
#[path = "integration/operate.rs"]
mod operate;
#[path = "integration/rebuild.rs"]
mod rebuild;
#[path = "integration/reliability.rs"]
mod reliability;
#[path = "integration/review.rs"]
mod review;
#[path = "integration/rollback.rs"]
mod rollback;
#[path = "integration/scaffold.rs"]
mod scaffold;
#[path = "integration/schema.rs"]
mod schema;
#[path = "integration/status.rs"]
mod status;
#[path = "integration/verify.rs"]
mod verify;
