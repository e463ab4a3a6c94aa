//! Runs a test on SQLite, PostgreSQL and MySQL/MariaDB, each time on a database of its own
//! that is dropped afterwards.
//!
//! Servers are found at `FF_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`)
//! and `FF_TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306`). A server that cannot be
//! reached is skipped with a note, unless `FF_REQUIRE_ALL_BACKENDS=1`, which makes it a failure.

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::RunQueryDsl;
use ff_runtime::{Backend, Connection, with_connection};

/// A database made for one test and dropped when this value goes away.
pub struct TestDatabase {
    backend: Backend,
    url: String,
    name: String,
    admin_url: Option<String>,
}

impl TestDatabase {
    /// A new, empty database on `backend`, or the reason it cannot be had.
    pub fn create(backend: Backend) -> Result<TestDatabase, String> {
        let name = unique_name();
        match backend {
            Backend::Sqlite => {
                let path = scratch_dir().join(format!("{name}.db"));
                Ok(TestDatabase {
                    backend,
                    url: format!("sqlite://{}", path.display()),
                    name: path.display().to_string(),
                    admin_url: None,
                })
            }
            Backend::Postgres | Backend::Mysql => {
                let server = server_url(backend);
                let (admin_db, create) = match backend {
                    Backend::Postgres => ("postgres", format!("CREATE DATABASE \"{name}\"")),
                    _ => (
                        "mysql",
                        format!(
                            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                        ),
                    ),
                };
                let admin_url = format!("{server}/{admin_db}");
                let mut admin = Connection::establish(&admin_url).map_err(|e| e.to_string())?;
                admin.batch_execute(&create).map_err(|e| e.to_string())?;
                Ok(TestDatabase {
                    backend,
                    url: format!("{server}/{name}"),
                    name,
                    admin_url: Some(admin_url),
                })
            }
        }
    }

    /// The backend of this database.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to this database.
    pub fn connect(&self) -> Connection {
        Connection::establish(&self.url)
            .unwrap_or_else(|error| panic!("connect to the test database: {error}"))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.admin_url {
            None => {
                for suffix in ["", "-journal", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.name));
                }
            }
            Some(admin_url) => {
                let Ok(mut admin) = Connection::establish(admin_url) else {
                    return;
                };
                let drop = match self.backend {
                    Backend::Postgres => {
                        format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)
                    }
                    _ => format!("DROP DATABASE IF EXISTS `{}`", self.name),
                };
                let _ = with_connection!(&mut admin, |c| diesel::sql_query(&drop).execute(c));
            }
        }
    }
}

#[derive(diesel::QueryableByName)]
struct RowCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The number of rows of `table`.
pub fn row_count(conn: &mut Connection, table: &str) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {}",
        conn.backend().dialect().quote(table)
    );
    with_connection!(conn, |c| diesel::sql_query(&sql).get_result::<RowCount>(c))
        .expect("count rows")
        .n
}

/// Runs `test` to completion on a multi-threaded tokio runtime of its own.
pub fn block_on<T>(test: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(test)
}

/// Runs `test` once per backend, each time with a connection to a fresh database.
pub fn each_backend(test: impl Fn(&mut Connection)) {
    each_backend_database(|database| test(&mut database.connect()));
}

/// Runs `test` once per backend with a fresh database (for tests that open several
/// connections or hand the URL to a program).
pub fn each_backend_database(test: impl Fn(&TestDatabase)) {
    for backend in Backend::ALL {
        let Some(database) = available(backend) else {
            continue;
        };
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| test(&database))) {
            eprintln!("test failed on {backend}");
            drop(database);
            resume_unwind(panic);
        }
    }
}

/// A fresh database on `backend`, or `None` (with a note) when the backend is not available
/// and not required.
fn available(backend: Backend) -> Option<TestDatabase> {
    let outcome = if backend == Backend::Mysql && !cfg!(feature = "mysql") {
        Err("ff was built without the `mysql` feature".to_owned())
    } else {
        TestDatabase::create(backend)
    };
    available_or_skip(backend, outcome)
}

/// The value of `outcome`, or `None` with a note naming `what` (a backend, a tool) when it
/// is not available, unless `FF_REQUIRE_ALL_BACKENDS=1`, which makes that a failure.
pub fn available_or_skip<T>(what: impl std::fmt::Display, outcome: Result<T, String>) -> Option<T> {
    match outcome {
        Ok(value) => Some(value),
        Err(reason) if std::env::var("FF_REQUIRE_ALL_BACKENDS").as_deref() == Ok("1") => {
            panic!("{what} is required (FF_REQUIRE_ALL_BACKENDS=1) but unavailable: {reason}")
        }
        Err(reason) => {
            note_skip(what, &reason);
            None
        }
    }
}

/// Records a skipped backend (or tool) where the test script can report it.
fn note_skip(what: impl std::fmt::Display, reason: &str) {
    let line = format!("{what}: {reason}\n");
    eprint!("skipped {line}");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(scratch_dir().join("skipped-backends.txt"))
    {
        let _ = file.write_all(line.as_bytes());
    }
}

fn server_url(backend: Backend) -> String {
    let (variable, default) = match backend {
        Backend::Postgres => ("FF_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        _ => ("FF_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306"),
    };
    std::env::var(variable)
        .unwrap_or_else(|_| default.to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// `target/ff-tests`, where SQLite files and notes go.
pub fn scratch_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/ff-tests");
    std::fs::create_dir_all(&dir).expect("create target/ff-tests");
    dir
}

/// A name no other test of any process uses at the same time.
pub(crate) fn unique_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "ff_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The backends a benchmark runs on: all three, but MySQL only when built with the `mysql`
/// feature (a skipped MySQL is said on standard error).
pub fn bench_backends() -> Vec<Backend> {
    Backend::ALL
        .into_iter()
        .filter(|&backend| {
            let built = backend != Backend::Mysql || cfg!(feature = "mysql");
            if !built {
                eprintln!("skipping mysql: built without the `mysql` feature");
            }
            built
        })
        .collect()
}
