//! The `omnisim` command: a thin wrapper over [`omnisim::cli`].
fn main() {
    println!("omnisim: not yet (the simulator lands with issue 3)");
}
