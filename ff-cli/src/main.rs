//! `cargo ff`: the command line of ff.

fn main() {
    std::process::exit(ff_cli::main(std::env::args_os()));
}
