//! A small JSON API on ff's async API and axum: categories, products (with optimistic locking)
//! and orders, on SQLite, PostgreSQL or MySQL/MariaDB. `main.rs` serves it; `tests/http.rs`
//! drives the real binary over HTTP on every backend.

pub mod entities;
pub mod error;
pub mod routes;
pub mod settings;
