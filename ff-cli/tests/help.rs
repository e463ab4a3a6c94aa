//! The CLI reference in `docs/cli.md` shows exactly what `--help` prints.

use std::process::Command;

#[test]
fn the_cli_reference_matches_help_output() {
    let reference = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/cli.md"))
        .expect("read docs/cli.md");
    let mut checked = 0;
    let mut lines = reference.lines();
    while let Some(line) = lines.next() {
        let Some(args) = line
            .strip_prefix("<!-- help:")
            .and_then(|l| l.strip_suffix("-->"))
        else {
            continue;
        };
        assert_eq!(
            lines.next(),
            Some("```text"),
            "a help marker is followed by a text block"
        );
        let documented: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-ff"))
            .arg("ff")
            .args(args.split_whitespace())
            .arg("--help")
            .output()
            .expect("run cargo-ff");
        let actual = String::from_utf8(output.stdout).unwrap();
        assert_eq!(
            documented.join("\n"),
            actual.trim_end(),
            "docs/cli.md is out of date for `cargo ff{args}--help`"
        );
        checked += 1;
    }
    assert_eq!(checked, 20, "every command's help is in the reference");
}
