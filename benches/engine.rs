//! Engine benchmarks (to be written).
fn main() {}
