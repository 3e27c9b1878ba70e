//! The `omnisim` command: a thin wrapper over [`omnisim::cli`].
fn main() -> std::process::ExitCode {
    omnisim::cli::main()
}
