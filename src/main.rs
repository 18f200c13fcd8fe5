//! The `sqlmig` command: everything lives in the library's `cli` module.

fn main() {
    std::process::exit(sqlmig::cli::main(std::env::args_os()));
}
