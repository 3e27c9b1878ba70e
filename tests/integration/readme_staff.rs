//! README's "How many agents do I need?" block is the program's real output: every line of
//! the block (but the `…` that elides the middle) is a line of `omnisim staff`'s output on the
//! bundled bank day, in the same order.

use std::path::Path;
use std::process::Command;

#[test]
fn readme_staffing_block_is_the_programs_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("<!-- readme-staff:")
        .expect("README has the readme-staff block");
    let body = &readme[start..];
    let open = body.find("```text\n").unwrap() + "```text\n".len();
    let close = open + body[open..].find("```").unwrap();
    let block: Vec<&str> = body[open..close].lines().collect();

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-staff");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_omnisim"))
        .current_dir(&dir)
        .arg("staff")
        .arg(root.join("scenarios/bank-day.toml"))
        .args(["--target", "service_level.fraction>=0.8", "--shifts"])
        .arg(root.join("scenarios/shifts/bank.toml"))
        .args(["--shrinkage", "30%", "--out", "staff"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    for want in block.iter().filter(|l| **l != "…") {
        assert!(
            lines.any(|got| got == *want),
            "README line not in the output (in order): {want:?}\n--- output ---\n{stdout}"
        );
    }
}
