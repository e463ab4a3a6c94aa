//! The real `shop-api` binary, started on a free local port with a fresh database of each
//! backend and driven over HTTP: migrations at start-up, create, list with pagination, update
//! with a version conflict answered 409 (concurrent writers included), delete, orders written in
//! one transaction, SQL echo from `ff.toml`, and the default SQLite file.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::thread;

use ff_runtime::prelude::*;
use ff_tests::backends::scratch_dir;
use ff_tests::{TestDatabase, each_backend_database};
use serde_json::{Value, json};
use shop_api::entities::{Order, OrderItem};

/// The service running as a child process; it is killed when this goes away, a panic included.
struct Server {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Server {
    /// Starts the binary on `url` with `PORT=0` and reads the address it printed first.
    fn start(url: &str) -> Server {
        Server::launch(command(url).stderr(Stdio::inherit()))
    }

    /// Starts `command` and reads the address it printed first.
    fn launch(command: &mut Command) -> Server {
        let child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("start shop-api");
        let mut server = Server {
            child,
            base: String::new(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
        };
        let stdout = server.child.stdout.take().expect("the server's stdout");
        BufReader::new(stdout)
            .read_line(&mut server.base)
            .expect("read the server's first line");
        assert!(
            server.base.starts_with("http://127.0.0.1:"),
            "the server printed {:?} instead of its address (it exited: {:?})",
            server.base,
            server.child.try_wait()
        );
        server.base = server.base.trim_end().to_owned();
        server
    }

    /// Sends `method path` with `body` as JSON; answers the status and the JSON body (`null`
    /// when there is none).
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let sent = match (method, body) {
            ("GET", None) => self.agent.get(&url).call(),
            ("DELETE", None) => self.agent.delete(&url).call(),
            ("POST", Some(body)) => self.agent.post(&url).send_json(body),
            ("PUT", Some(body)) => self.agent.put(&url).send_json(body),
            (method, body) => panic!("no request {method} with body {body:?}"),
        };
        let mut response = sent.unwrap_or_else(|error| panic!("{method} {path}: {error}"));
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().expect("read the body");
        let json = match text.as_str() {
            "" => Value::Null,
            text => serde_json::from_str(text)
                .unwrap_or_else(|error| panic!("{method} {path} answered {text:?}: {error}")),
        };
        (status, json)
    }

    fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None)
    }

    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(body))
    }

    fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("PUT", path, Some(body))
    }

    fn delete(&self, path: &str) -> (u16, Value) {
        self.call("DELETE", path, None)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with `DATABASE_URL=url` and `PORT=0`.
fn command(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shop-api"));
    command
        .env("DATABASE_URL", url)
        .env("PORT", "0")
        .env_remove("HOST");
    command
}

/// Asserts an error answer: its status, its short name and a part of its message.
fn assert_error(answer: (u16, Value), status: u16, error: &str, message: &str) {
    let (got, body) = answer;
    assert_eq!(got, status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    let text = body["message"].as_str().expect("an error message");
    assert!(text.contains(message), "{text:?} does not say {message:?}");
}

/// Creates a category and answers its id.
fn category(server: &Server, name: &str) -> i64 {
    let (status, body) = server.post("/categories", json!({ "name": name }));
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().expect("the category's id")
}

/// Creates a product and answers it.
fn product(server: &Server, name: &str, price: f64, sku: &str, category: i64) -> Value {
    let body = json!({ "name": name, "price": price, "sku": sku, "category_id": category });
    let (status, body) = server.post("/products", body);
    assert_eq!(status, 201, "{body}");
    body
}

#[test]
fn products_are_created_listed_updated_and_deleted_over_http() {
    each_backend_database(|database| {
        let server = Server::start(database.url());
        let lamps = category(&server, "Lampen 💡");
        let desks = category(&server, "select"); // a reserved SQL word as a value
        assert_error(
            server.post("/categories", json!({ "name": "Lampen 💡" })),
            409,
            "duplicate",
            "category",
        );
        let (status, categories) = server.get("/categories");
        assert_eq!(status, 200);
        assert_eq!(categories.as_array().map(Vec::len), Some(2));

        let first = product(&server, "Ångström lamp", 24.5, "LMP-1", lamps);
        assert_eq!(first["version"], 1);
        assert_eq!(first["description"], Value::Null);
        for n in 2..=5 {
            product(
                &server,
                &format!("Lamp {n}"),
                1e300,
                &format!("LMP-{n}"),
                lamps,
            );
        }
        product(&server, "Desk", 0.0, "DSK-1", desks);
        assert_error(
            server.post(
                "/products",
                json!({ "name": "Copy", "price": 1.0, "sku": "LMP-1", "category_id": lamps }),
            ),
            409,
            "duplicate",
            "product",
        );
        assert_error(
            server.post(
                "/products",
                json!({ "name": "Negative", "price": -1.0, "sku": "NEG", "category_id": lamps }),
            ),
            422,
            "invalid",
            "product",
        );
        assert_error(
            server.post(
                "/products",
                json!({ "name": "Orphan", "price": 1.0, "sku": "ORPH", "category_id": 999_999 }),
            ),
            409,
            "foreign_key",
            "product",
        );

        // Requests that cannot be read answer JSON errors too.
        assert_error(
            server.post("/products", json!({ "name": "No price" })),
            422,
            "bad_request",
            "missing field `price`",
        );
        assert_error(server.get("/products/lamp"), 400, "bad_request", "`lamp`");
        assert_error(server.get("/products?page=two"), 400, "bad_request", "page");
        assert_error(
            server.get("/produkte"),
            404,
            "bad_request",
            "no route for /produkte",
        );

        // Pagination: six products, five of them lamps, two per page.
        let (status, page) = server.get("/products?page=1&per_page=2");
        assert_eq!(status, 200, "{page}");
        assert_eq!(
            (page["total"].as_i64(), page["pages"].as_i64()),
            (Some(6), Some(3))
        );
        assert_eq!(page["items"][0]["name"], "Ångström lamp");
        assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
        let (_, last) = server.get(&format!("/products?page=3&per_page=2&category={lamps}"));
        assert_eq!(
            (last["total"].as_i64(), last["pages"].as_i64()),
            (Some(5), Some(3))
        );
        assert_eq!(last["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(last["items"][0]["price"], 1e300);
        let (_, beyond) = server.get("/products?page=9&per_page=2");
        assert_eq!(beyond["items"], json!([]));
        let (_, defaults) = server.get("/products");
        assert_eq!(
            (defaults["page"].as_i64(), defaults["per_page"].as_i64()),
            (Some(1), Some(20))
        );
        assert_error(server.get("/products?page=0"), 422, "invalid", "page 0");
        assert_error(
            server.get("/products?per_page=101"),
            422,
            "invalid",
            "at most 100",
        );

        // Update with the version read; a second writer with the same version gets 409.
        let id = first["id"].as_i64().expect("the product's id");
        let path = format!("/products/{id}");
        let (status, shown) = server.get(&path);
        assert_eq!((status, &shown), (200, &first));
        let change = |price: f64, version: i64| {
            json!({
                "name": "Ångström lamp", "description": "warm ☀", "price": price,
                "sku": "LMP-1", "category_id": lamps, "version": version,
            })
        };
        let (status, updated) = server.put(&path, change(19.0, 1));
        assert_eq!(status, 200, "{updated}");
        assert_eq!(
            (updated["price"].as_f64(), updated["version"].as_i64()),
            (Some(19.0), Some(2))
        );
        assert_eq!(updated["description"], "warm ☀");
        assert_error(
            server.put(&path, change(99.0, 1)),
            409,
            "stale_version",
            "changed by someone else",
        );
        assert_eq!(
            server.get(&path).1["price"],
            19.0,
            "the stale write changed nothing"
        );
        assert_error(
            server.put("/products/999999", change(1.0, 1)),
            404,
            "not_found",
            "product",
        );
        assert_error(server.get("/products/999999"), 404, "not_found", "product");

        // Delete; the product is gone afterwards.
        assert_eq!(server.delete(&path), (204, Value::Null));
        assert_error(server.get(&path), 404, "not_found", "product");
        assert_error(server.delete(&path), 404, "not_found", "product");

        // A restart applies no migration again and finds the data.
        drop(server);
        let server = Server::start(database.url());
        assert_eq!(server.get("/products").1["total"], 5);
    });
}

#[test]
fn an_order_and_its_items_are_written_in_one_transaction() {
    each_backend_database(|database| {
        let server = Server::start(database.url());
        let lamps = category(&server, "Lamps");
        let lamp = product(&server, "Lamp", 24.5, "LMP-1", lamps)["id"].clone();
        let bulb = product(&server, "Bulb", 2.25, "BLB-1", lamps)["id"].clone();

        let (status, order) = server.post(
            "/orders",
            json!({ "customer": "Zoë Ñúñez", "items": [
                { "product_id": lamp, "quantity": 2 },
                { "product_id": bulb, "quantity": 4 },
            ]}),
        );
        assert_eq!(status, 201, "{order}");
        assert_eq!(order["customer"], "Zoë Ñúñez");
        assert_eq!(order["total"], 58.0);
        assert_eq!(order["items"][1]["unit_price"], 2.25);
        let (status, shown) = server.get(&format!("/orders/{}", order["id"]));
        assert_eq!((status, &shown), (200, &order));
        assert_error(server.get("/orders/999999"), 404, "not_found", "order");

        // A failing line undoes the whole order.
        let failing = |items: Value| json!({ "customer": "Rolled back", "items": items });
        assert_error(
            server.post("/orders", failing(json!([{ "product_id": lamp, "quantity": 1 }, { "product_id": 999_999, "quantity": 1 }]))),
            422,
            "invalid",
            "product 999999 does not exist",
        );
        assert_error(
            server.post(
                "/orders",
                failing(json!([{ "product_id": lamp, "quantity": 0 }])),
            ),
            422,
            "invalid",
            "order_item",
        );
        assert_error(
            server.post("/orders", failing(json!([]))),
            422,
            "invalid",
            "at least one item",
        );
        assert_rows(database, 1, 2);

        // An ordered product cannot be deleted (SQLite does not say which key stopped it).
        let ordered = format!("/products/{lamp}");
        assert_error(server.delete(&ordered), 409, "foreign_key", "product");
        assert_eq!(server.get(&ordered).0, 200);
    });
}

/// The database holds `orders` orders and `items` order items.
fn assert_rows(database: &TestDatabase, orders: i64, items: i64) {
    let mut conn = database.connect();
    let counted = (
        Order::query().count(&mut conn).expect("count the orders"),
        OrderItem::query()
            .count(&mut conn)
            .expect("count the items"),
    );
    assert_eq!(counted, (orders, items));
}

#[test]
fn a_bad_port_is_refused_with_a_clear_error() {
    let file = scratch_dir().join(format!("shop-api-port-{}.db", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_shop-api"))
        .env("DATABASE_URL", format!("sqlite://{}", file.display()))
        .env("PORT", "http")
        .output()
        .expect("run shop-api");
    let _ = std::fs::remove_file(&file);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("PORT is `http`: give a port number from 0"),
        "{stderr}"
    );
}

#[test]
fn concurrent_updates_from_one_version_let_exactly_one_win() {
    each_backend_database(|database| {
        let server = Server::start(database.url());
        let lamps = category(&server, "Lamps");
        let id = product(&server, "Lamp", 10.0, "LMP-1", lamps)["id"].clone();
        let path = format!("/products/{id}");
        let statuses: Vec<u16> = thread::scope(|scope| {
            let writers: Vec<_> = (1..=8)
                .map(|n| {
                    let (server, path) = (&server, &path);
                    scope.spawn(move || {
                        let body = json!({ "name": format!("Lamp {n}"), "price": f64::from(n),
                            "sku": "LMP-1", "category_id": lamps, "version": 1 });
                        server.put(path, body).0
                    })
                })
                .collect();
            writers
                .into_iter()
                .map(|w| w.join().expect("a writer"))
                .collect()
        });
        assert_eq!(
            statuses.iter().filter(|&&s| s == 200).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|&s| s == 200 || s == 409),
            "{statuses:?}"
        );
        let (_, stored) = server.get(&path);
        assert_eq!(stored["version"], 2);
        let winner = statuses.iter().position(|&s| s == 200).expect("a winner") + 1;
        assert_eq!(stored["name"], format!("Lamp {winner}"));
    });
}

#[test]
fn echo_in_ff_toml_logs_the_service_statements() {
    each_backend_database(|database| {
        let dir = scratch_dir().join(format!("shop-api-echo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the project directory");
        std::fs::write(dir.join("ff.toml"), "[database]\necho = \"binds\"\n")
            .expect("write ff.toml");
        let log = dir.join("stderr.log");
        let stderr = std::fs::File::create(&log).expect("create the log");
        let server = Server::launch(command(database.url()).current_dir(&dir).stderr(stderr));
        let lamps = category(&server, "Lämpchen");
        assert_eq!(
            server.get(&format!("/products?category={lamps}")).1["total"],
            0
        );
        drop(server);
        let logged = std::fs::read_to_string(&log).expect("read the log");
        std::fs::remove_dir_all(&dir).ok();
        assert!(logged.contains("ff::sql"), "{logged}");
        assert!(logged.contains("INSERT INTO"), "{logged}");
        assert!(
            logged.contains("Lämpchen"),
            "the binds are logged: {logged}"
        );
        assert!(logged.contains("SELECT COUNT(*)"), "{logged}");
    });
}

#[test]
fn without_a_database_url_it_serves_an_sqlite_file_in_the_temporary_directory() {
    let dir = scratch_dir().join(format!("shop-api-default-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    let mut command = Command::new(env!("CARGO_BIN_EXE_shop-api"));
    command
        .env_remove("DATABASE_URL")
        .env("TMPDIR", &dir)
        .env("PORT", "0")
        .current_dir(&dir)
        .stderr(Stdio::inherit());
    let server = Server::launch(&mut command);
    category(&server, "Lamps");
    assert_eq!(server.get("/categories").1[0]["name"], "Lamps");
    drop(server);
    assert!(dir.join("ff-shop-api.db").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sigterm_stops_the_service_cleanly() {
    let file = scratch_dir().join(format!("shop-api-stop-{}.db", std::process::id()));
    let mut server = Server::start(&format!("sqlite://{}", file.display()));
    category(&server, "Lamps");
    let stopped = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(stopped.success());
    let status = server.child.wait().expect("wait for the service");
    assert_eq!(status.code(), Some(0), "{status}");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}
