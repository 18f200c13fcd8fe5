//! Link the `sqlmig` command as a position-dependent executable on Linux (glibc).
//!
//! A position-independent executable has its ~29,000 absolute addresses relocated by the
//! dynamic loader at every start, which was half of `sqlmig --version`'s instructions and
//! most of its page faults (2.5 ms against 1.4 ms, `true` taking 1 ms). The price is that the
//! executable's own code loads at a fixed address (libraries, stack and heap stay randomised).
//! Set `SQLMIG_BUILD_PIE=1` when building to keep a position-independent executable.

fn main() {
    println!("cargo:rerun-if-env-changed=SQLMIG_BUILD_PIE");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" && std::env::var_os("SQLMIG_BUILD_PIE").is_none() {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
