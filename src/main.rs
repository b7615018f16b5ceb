//! The `isvdbg` command line.

fn main() {
    println!("isvdbg: under construction");
}
