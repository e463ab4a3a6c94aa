//! Misuse of `#[derive(Entity)]` and `#[derive(DbEnum)]` is a compile error pointing at the
//! offending tokens, with the fix in the message.

#[test]
fn misuse_is_reported_with_a_span_and_the_fix() {
    let cases = trybuild::TestCases::new();
    for kind in ["attributes", "keys", "relations", "shape"] {
        cases.compile_fail(format!("tests/ui/{kind}/*.rs"));
    }
    cases.pass("tests/ui/pass/*.rs");
    // An unsupported field type fails every generated query, once per backend compiled in, so
    // the full compiler output depends on the `mysql` feature; its first error is the same.
    // (So does a grouped query's row type that its selection cannot load into.)
    let backends = if cfg!(feature = "mysql") {
        "with_mysql"
    } else {
        "without_mysql"
    };
    cases.compile_fail(format!("tests/ui/unsupported_type/{backends}/*.rs"));
}
