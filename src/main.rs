//! The `isvdbg` command line; everything lives in `isvdbg::cli`.

fn main() -> std::process::ExitCode {
    isvdbg::cli::main()
}
