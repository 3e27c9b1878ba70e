//! The `omnisim` command: a thin wrapper over [`omnisim::cli`].
fn main() -> std::process::ExitCode {
    // Writing to a closed pipe (`omnisim … | head`) ends the process quietly, as it does for
    // other command-line tools, instead of panicking in `println!`.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    omnisim::cli::main()
}
