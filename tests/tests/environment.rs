//! `DATABASE_URL` comes from the environment or from a `.env` file. A single test in its own
//! binary, because it changes the process's working directory and environment.

use ff_runtime::{Backend, Connection, Error};

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

    std::fs::remove_dir_all(&dir).unwrap();
}
