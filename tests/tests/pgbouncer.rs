//! ff behind PgBouncer in transaction mode (Debian's pgbouncer 1.18, which knows nothing of
//! prepared statements): each transaction, or each statement outside one, may run on another
//! server connection. With `statement_cache = false` the blocking API works there; with
//! Diesel's statement cache on, a statement prepared on one server connection is missing on
//! the next. The async API (diesel-async) does not work there, cache or not.
//!
//! PostgreSQL only. Skipped with a note when `pgbouncer` is not installed, unless
//! `FF_REQUIRE_ALL_BACKENDS=1`.

use std::collections::HashSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ff_runtime::prelude::*;
use ff_runtime::{
    AsyncConnection, Backend, Config, EntityManager, Pool, PooledConnection, with_connection,
};
use ff_tests::TestDatabase;
use ff_tests::backends::available_or_skip;
use ff_tests::domain::{Category, Product, product, store_tables};

/// Client connections, more than PgBouncer's server connections, so they take turns.
const CLIENTS: usize = 4;
/// PgBouncer's server connections to the test database.
const SERVER_POOL: usize = 2;
const ROUNDS: usize = 5;

/// A PgBouncer in transaction mode in front of one test database, stopped when dropped.
struct Bouncer {
    dir: PathBuf,
    url: String,
}

impl Bouncer {
    /// Starts PgBouncer on a free port, in front of `database`, as the `postgres` user when
    /// run as root (PgBouncer refuses to run as root).
    fn start(database: &TestDatabase) -> Result<Bouncer, String> {
        let binary = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
            .into_iter()
            .find(|path| Path::new(path).is_file())
            .ok_or("pgbouncer is not installed (apt-get install pgbouncer)")?;
        let name = database.url().rsplit('/').next().expect("a database name");
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("ff-pgbouncer-{name}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        // Removes the directory (and stops PgBouncer) however the start ends.
        let bouncer = Bouncer {
            url: format!("postgres://postgres@127.0.0.1:{port}/{name}"),
            dir: dir.clone(),
        };
        let config = format!(
            "[databases]\n\
             {name} = host=127.0.0.1 port=5432 dbname={name} user=postgres\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\n\
             listen_port = {port}\n\
             unix_socket_dir =\n\
             auth_type = trust\n\
             auth_file = {dir}/users.txt\n\
             pool_mode = transaction\n\
             default_pool_size = {SERVER_POOL}\n\
             max_client_conn = 100\n\
             logfile = {dir}/pgbouncer.log\n\
             pidfile = {dir}/pgbouncer.pid\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("pgbouncer.ini"), config).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("users.txt"), "\"postgres\" \"\"\n").map_err(|e| e.to_string())?;
        let ini = dir.join("pgbouncer.ini");
        let mut command = if is_root() {
            run(Command::new("chown").arg("-R").arg("postgres").arg(&dir))?;
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", binary]);
            command
        } else {
            Command::new(binary)
        };
        run(command.arg("-d").arg(&ini))?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("pgbouncer did not listen: {}", bouncer.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(bouncer)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }

    /// An `ff.toml` in a directory of its own, pointing at PgBouncer, with `statement_cache`.
    fn config(&self, statement_cache: bool) -> Config {
        let dir = self.dir.join(format!("project-{statement_cache}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("ff.toml"),
            format!(
                "[database]\nurl = \"{}\"\npool_size = {CLIENTS}\nstatement_cache = {statement_cache}\n",
                self.url
            ),
        )
        .unwrap();
        let config = Config::load_from(&dir).unwrap();
        // DATABASE_URL of the environment would win over ff.toml.
        assert_eq!(config.database_url().unwrap(), self.url);
        config
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("pgbouncer.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// A fresh PostgreSQL database with the store's tables, and a PgBouncer in front of it; `None`
/// (with a note) when either is unavailable.
fn bouncer() -> Option<(TestDatabase, Bouncer)> {
    let database = available_or_skip(Backend::Postgres, TestDatabase::create(Backend::Postgres))?;
    database.connect().create_tables(&store_tables()).unwrap();
    let bouncer = available_or_skip("pgbouncer", Bouncer::start(&database))?;
    Some((database, bouncer))
}

#[derive(diesel::QueryableByName)]
struct BackendPid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

/// The PostgreSQL server process the next statement of `conn` runs on.
fn server_pid(conn: &mut Connection) -> i32 {
    let query = diesel::sql_query("SELECT pg_backend_pid() AS pid");
    with_connection!(conn, |c| diesel::RunQueryDsl::get_result::<BackendPid>(
        query, c
    ))
    .unwrap()
    .pid
}

/// One client's work: repository CRUD, finders, a filtered page, a transaction with a savepoint
/// rolled back, and an entity manager flush. Returns the server processes it ran on.
fn client_work(em: &mut EntityManager<PooledConnection>, client: usize) -> HashSet<i32> {
    let mut pids = HashSet::new();
    for round in 0..ROUNDS {
        let conn = em.connection();
        pids.insert(server_pid(conn));
        let tag = format!("c{client}r{round}");
        let category = Repository::<Category>::new(conn)
            .insert(&Category {
                id: 0,
                name: tag.clone(),
                parent_id: None,
            })
            .unwrap();
        let mut repo = Repository::<Product>::new(conn);
        let lamp = repo
            .insert(&Product::new(
                &format!("{tag} lamp"),
                10.0,
                &format!("{tag}-L"),
                Some(category.id),
            ))
            .unwrap();
        let mut desk = repo
            .insert(&Product::new(
                &format!("{tag} desk"),
                99.5,
                &format!("{tag}-D"),
                Some(category.id),
            ))
            .unwrap();
        desk.price = 120.0;
        repo.update(&desk).unwrap();
        assert_eq!(repo.find(&desk.id).unwrap(), Some(desk.clone()));
        assert_eq!(
            Product::find_one_by_sku(conn, &format!("{tag}-L")).unwrap(),
            Some(lamp.clone())
        );
        let page = Product::query()
            .filter(product::category_id.eq(category.id))
            .filter(product::price.gt(5.0))
            .order_by(product::price.desc())
            .paginate(1, 1, conn)
            .unwrap();
        assert_eq!((page.total, page.items), (2, vec![desk.clone()]));

        // A savepoint rolled back inside a committed transaction.
        conn.transaction(|conn| {
            Repository::<Product>::new(conn).delete(&lamp)?;
            let inner: Result<(), ff_runtime::Error> = conn.transaction(|conn| {
                Repository::<Product>::new(conn).delete(&desk)?;
                Err(ff_runtime::Error::NotFound {
                    table: "rolled back".into(),
                })
            });
            assert!(inner.is_err());
            Ok::<_, ff_runtime::Error>(())
        })
        .unwrap();
        let left = Product::find_by_category_id(conn, Some(category.id)).unwrap();
        assert_eq!(left, vec![desk.clone()]);

        // The entity manager: a change and a new row in one flush.
        em.clear();
        let managed = em.find::<Product>(&desk.id).unwrap().unwrap();
        managed.borrow_mut().name = format!("{tag} standing desk");
        em.persist(Product::new(
            &format!("{tag} chair"),
            45.0,
            &format!("{tag}-C"),
            Some(category.id),
        ));
        em.flush().unwrap();
        let names: Vec<String> = Product::query()
            .filter(product::category_id.eq(category.id))
            .order_by(product::name.asc())
            .load(em.connection())
            .unwrap()
            .into_iter()
            .map(|product| product.name)
            .collect();
        assert_eq!(
            names,
            [format!("{tag} chair"), format!("{tag} standing desk")]
        );
    }
    pids
}

#[test]
fn the_blocking_api_works_behind_pgbouncer_in_transaction_mode_without_the_statement_cache() {
    let Some((database, bouncer)) = bouncer() else {
        return;
    };
    let config = bouncer.config(false);
    assert!(!config.statement_cache.value);
    let pool = Pool::from_config(&config).unwrap();
    let pids: Vec<HashSet<i32>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let pool = &pool;
                scope.spawn(move || {
                    client_work(&mut EntityManager::new(pool.get().unwrap()), client)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a client failed"))
            .collect()
    });
    // Statements of one client really ran on different server connections.
    assert!(
        pids.iter().any(|seen| seen.len() > 1),
        "every client stayed on one server connection: {pids:?}"
    );
    let all: HashSet<i32> = pids.into_iter().flatten().collect();
    assert!(all.len() <= SERVER_POOL, "{all:?}");

    let mut direct = database.connect();
    let expected = (CLIENTS * ROUNDS) as i64;
    assert_eq!(Category::query().count(&mut direct).unwrap(), expected);
    assert_eq!(Product::query().count(&mut direct).unwrap(), 2 * expected);

    // A single connection from the settings works too.
    let mut conn = Connection::from_config(&config).unwrap();
    assert_eq!(Product::query().count(&mut conn).unwrap(), 2 * expected);
}

#[test]
fn with_the_statement_cache_on_pgbouncer_in_transaction_mode_loses_prepared_statements() {
    let Some((_database, bouncer)) = bouncer() else {
        return;
    };
    let config = bouncer.config(true);
    let mut clients: Vec<Connection> = (0..CLIENTS)
        .map(|_| Connection::from_config(&config).unwrap())
        .collect();
    let mut errors = Vec::new();
    for round in 0..ROUNDS {
        for conn in &mut clients {
            if let Err(error) = Product::find_by_name(conn, &format!("r{round}")) {
                errors.push(error.to_string());
            }
            if let Err(error) = Category::query().count(conn) {
                errors.push(error.to_string());
            }
        }
    }
    assert!(
        errors
            .iter()
            .any(|error| error.contains("prepared statement")),
        "{errors:?}"
    );
}

/// diesel-async's PostgreSQL connection (tokio-postgres) prepares every statement under a name
/// and runs it in a second round trip, cache or not: PgBouncer 1.18 in transaction mode may send
/// the two to different server connections. The async API needs session mode there, or
/// PgBouncer 1.21 and later with `max_prepared_statements`.
#[test]
fn the_async_api_loses_its_prepared_statements_behind_pgbouncer_1_18_in_transaction_mode() {
    let Some((_database, bouncer)) = bouncer() else {
        return;
    };
    let config = bouncer.config(false);
    let errors = ff_tests::backends::block_on(async {
        let clients = (0..CLIENTS).map(|_| {
            let config = config.clone();
            // The clients run at once, so their statements interleave on the server connections.
            tokio::spawn(async move {
                let mut conn = match AsyncConnection::from_config(&config).await {
                    Ok(conn) => conn,
                    Err(error) => return vec![error.to_string()],
                };
                let mut errors = Vec::new();
                for round in 0..ROUNDS {
                    if let Err(error) = Product::find_by_name(&mut conn, &format!("r{round}")).await
                    {
                        errors.push(error.to_string());
                    }
                    if let Err(error) = Category::query().count(&mut conn).await {
                        errors.push(error.to_string());
                    }
                }
                errors
            })
        });
        let mut errors = Vec::new();
        for client in clients.collect::<Vec<_>>() {
            errors.extend(client.await.expect("a client panicked"));
        }
        errors
    });
    assert!(
        errors
            .iter()
            .any(|error| error.contains("prepared statement")),
        "{errors:?}"
    );
}
