//! Misuse of `#[derive(Entity)]` and `#[derive(DbEnum)]` is a compile error pointing at the
//! offending tokens, with the fix in the message.

#[test]
fn misuse_is_reported_with_a_span_and_the_fix() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*/*.rs");
}
