//! `DATABASE_URL` comes from the environment, a `.env` file or ff.toml's `[database]`. A single test in its own
//! binary, because it changes the process's working directory and environment.

use ff_runtime::{Backend, Connection, ECHO_TARGET, Error};
use ff_tests::echo::Capture;

#[test]
fn database_url_is_read_from_the_environment_then_from_dot_env() {
    let dir = std::env::temp_dir().join(format!("ff-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // SAFETY: this test binary runs this single test, on one thread.
    unsafe { std::env::remove_var("DATABASE_URL") };
    std::env::set_current_dir(&dir).unwrap();

    let missing = Connection::from_env().unwrap_err();
    assert!(matches!(missing, Error::MissingDatabaseUrl), "{missing}");
    assert!(missing.to_string().contains("put it in a .env file"));

    std::fs::write(dir.join(".env"), "DATABASE_URL=sqlite://from-dotenv.db\n").unwrap();
    let conn = Connection::from_env().unwrap();
    assert_eq!(conn.backend(), Backend::Sqlite);
    assert!(dir.join("from-dotenv.db").exists());

    // SAFETY: as above.
    unsafe { std::env::set_var("DATABASE_URL", "sqlite://from-env.db") };
    Connection::from_env().unwrap();
    assert!(dir.join("from-env.db").exists());

    // Without DATABASE_URL anywhere, ff.toml's [database] is used, echo included.
    // SAFETY: as above.
    unsafe {
        std::env::remove_var("DATABASE_URL");
        std::env::set_var("FF_ENV_DB", "from-ff-toml.db");
    }
    std::fs::remove_file(dir.join(".env")).unwrap();
    std::fs::write(
        dir.join("ff.toml"),
        "[database]\nurl = \"sqlite://${FF_ENV_DB}\"\necho = true\n",
    )
    .unwrap();
    let capture = Capture::default();
    capture.during(|| {
        let mut conn = Connection::from_env().unwrap();
        conn.batch_execute("CREATE TABLE echoed (x INTEGER)")
            .unwrap();
    });
    assert!(dir.join("from-ff-toml.db").exists());
    let events = capture.take();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].target, ECHO_TARGET);
    assert_eq!(
        events[0].field("sql"),
        Some("CREATE TABLE echoed (x INTEGER)")
    );

    // An unset variable is named.
    // SAFETY: as above.
    unsafe { std::env::remove_var("FF_ENV_DB") };
    let unset = Connection::from_env().unwrap_err().to_string();
    assert!(unset.contains("FF_ENV_DB is not set"), "{unset}");
    assert!(unset.contains("ff.toml"), "{unset}");

    std::fs::remove_dir_all(&dir).unwrap();
}
