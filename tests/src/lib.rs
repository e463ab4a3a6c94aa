//! Shared pieces of ff's end-to-end tests: a fresh database per test on every backend, and the
//! demo domain's entities.

pub mod backends;
pub mod blog;
pub mod domain;
pub mod echo;
pub mod items;
pub mod project;
pub mod sales;
pub mod statements;

pub use backends::{TestDatabase, each_backend, each_backend_database};
pub use statements::Statements;

/// The user guide's examples, compiled and run as doctests.
#[cfg(doctest)]
mod guide {
    #[doc = include_str!("../../docs/getting-started.md")]
    struct GettingStarted;
    #[doc = include_str!("../../docs/entities.md")]
    struct Entities;
    #[doc = include_str!("../../docs/repositories.md")]
    struct Repositories;
    #[doc = include_str!("../../docs/migrations.md")]
    struct Migrations;
    #[doc = include_str!("../../docs/entity-manager.md")]
    struct EntityManager;
    #[doc = include_str!("../../docs/relationships.md")]
    struct Relationships;
    #[doc = include_str!("../../docs/queries.md")]
    struct Queries;
    #[doc = include_str!("../../docs/configuration.md")]
    struct Configuration;
    #[doc = include_str!("../../docs/async.md")]
    struct Async;
    #[doc = include_str!("../../README.md")]
    struct Readme;
}
