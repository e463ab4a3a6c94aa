//! Shared pieces of ff's end-to-end tests: a fresh database per test on every backend, and the
//! demo domain's entities.

pub mod backends;
pub mod domain;

pub use backends::{TestDatabase, each_backend};
