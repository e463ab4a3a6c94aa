//! ff: a declarative ORM on Diesel.
//!
//! Derive [`Entity`](derive@Entity) on a struct to get its Diesel schema, table metadata,
//! repository operations and typed finders; connect with [`Connection::from_env`]; read and
//! write through a [`Repository`]. SQLite, PostgreSQL and (with the `mysql` feature)
//! MySQL/MariaDB run the same code.
//!
//! ```
//! use ff_runtime::prelude::*;
//!
//! #[derive(Entity, Debug, Clone, PartialEq)]
//! pub struct Product {
//!     pub id: i32,
//!     #[ff(length = 255, index)]
//!     pub name: String,
//!     pub price: f64,
//!     #[ff(unique)]
//!     pub sku: String,
//! }
//!
//! let mut conn = Connection::establish(":memory:")?;
//! conn.create_tables(&[Product::META])?;
//! let lamp = Repository::<Product>::new(&mut conn).insert(&Product {
//!     id: 0,
//!     name: "Lamp".into(),
//!     price: 24.5,
//!     sku: "LMP-1".into(),
//! })?;
//! assert_eq!(Product::find_by_name(&mut conn, "Lamp")?, vec![lamp.clone()]);
//! assert_eq!(Product::find_one_by_sku(&mut conn, "LMP-1")?, Some(lamp));
//! # Ok::<(), ff_runtime::Error>(())
//! ```

pub mod database;
pub mod ddl;
pub mod dialect;
pub mod group;
pub mod introspect;
pub mod migration;
pub mod schema;
pub mod sql_types;
pub mod storage;

pub mod join;
pub mod relation;
pub mod validation;

#[cfg(feature = "async")]
mod async_connection;
#[cfg(feature = "async")]
mod async_pool;
mod config;
mod connection;
mod criteria;
mod echo;
mod entity;
mod error;
mod lifecycle;
mod macros;
mod manager;
mod null_order;
mod pool;
mod query;
mod raw;
mod repository;
mod rows;
mod session;
mod sql_text;
mod text_match;
mod url;

#[cfg(feature = "async")]
pub use async_connection::{AsyncConnection, AsyncDriver};
#[cfg(feature = "async")]
pub use async_pool::{AsyncPool, AsyncPooledConnection};
pub use config::{CONFIG_FILE, Config, DATABASE_URL, Setting, Source};
pub use connection::{Connection, database_url};
pub use criteria::{Condition, Criteria, IntoCriteria, IntoOrderBy, OrderBy, Ordering};
pub use dialect::Backend;
pub use echo::{ECHO_TARGET, Echo};
pub use entity::{Entity, FieldType};
pub use error::{Error, Result};
pub use ff_derive::{DbEnum, Entity, embed_migrations};
pub use group::aggregate;
pub use group::{Annotated, Grouped};
pub use join::{JoinQuery, Joined, ToOne};
pub use lifecycle::Lifecycle;
#[cfg(feature = "async")]
pub use manager::AsyncEntityManager;
pub use manager::{EntityManager, Managed};
pub use null_order::{NullOrder, NullOrderMethods};
pub use pool::{DEFAULT_CHECKOUT_TIMEOUT, Pool, PoolState, PooledConnection};
pub use query::{AggregateExpression, AggregateType, Aggregated, Page, Query};
pub use raw::{RawQuery, RawRow, Value};
pub use relation::{BelongsTo, Eager, EagerTree};
#[cfg(feature = "async")]
pub use repository::AsyncRepository;
pub use repository::Repository;
pub use session::Session;
pub use sql_types::{bind, in_list};
pub use text_match::{TextMatch, TextMatchMethods, TextOrNullableText};
pub use url::{DatabaseUrl, mask_password};

/// Diesel 2.3, as ff uses it: its typed DSL works on the schema modules ff generates, and
/// `ff_runtime::diesel::joinable!` and friends need no direct `diesel` dependency.
pub use diesel;

/// diesel-async, as ff's async API uses it: its DSL runs on the variants of
/// [`AsyncConnection`].
#[cfg(feature = "async")]
pub use diesel_async;

/// Everything an application using ff usually needs, Diesel's prelude included.
pub mod prelude {
    pub use crate::aggregate::{avg, count, count_all, count_distinct, max, min, sum};
    pub use crate::{
        BelongsTo, Connection, Criteria, DbEnum, Eager, EagerTree, Entity, EntityManager, Error,
        IntoCriteria, Lifecycle, Managed, NullOrderMethods, OrderBy, Page, Query, RawQuery,
        Repository, Result, Session, TextMatchMethods, ToOne, with_connection,
    };
    pub use diesel::prelude::*;
    // Diesel's `Connection` trait, for its methods on the concrete connections; the name
    // `Connection` is ff's.
    pub use diesel::Connection as _;
}

/// Used by generated code. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::error::not_found;
    pub use crate::migration::dump_schema;
    pub use crate::relation::{
        ForeignKeyOf, KeyList, child, children, key_list, link, linked, load_child, load_children,
        load_linked, load_parents, parent, required_parent, unlink,
    };
    pub use crate::rows::{ColumnSet, RowOf, RowQuery, Value, find_equal, find_one_equal};
    pub use crate::schema;
    pub use crate::storage::check_field;
    pub use crate::validation::{FieldFailure, checks};
    pub use diesel;
    pub use regex::Regex;
    pub use std::borrow::Cow;
    pub use std::sync::OnceLock;

    /// The bound-parameter expression of a value written to `Column`.
    pub type Bound<Column, T> =
        diesel::internal::derives::as_expression::Bound<<Column as diesel::Expression>::SqlType, T>;

    /// Whether two field values are equal (change tracking compares every stored field).
    pub fn same<T: PartialEq + ?Sized>(a: &T, b: &T) -> bool {
        a == b
    }

    /// The text a `#[derive(DbEnum)]` variant is stored as.
    pub trait StoredEnum {
        /// The stored text of this variant.
        fn as_stored(&self) -> &'static str;
    }

    /// `AsExpression<Text>` (and nullable) for a `#[derive(DbEnum)]` type and references to it.
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __stored_enum_expressions {
        ($enum:ty) => {
            $crate::__stored_enum_expressions!(@one $enum);
            $crate::__stored_enum_expressions!(@one &'__a $enum);
        };
        (@one $($ty:tt)*) => {
            impl<'__a> $crate::__private::diesel::expression::AsExpression<$crate::__private::diesel::sql_types::Text> for $($ty)* {
                type Expression = $crate::__private::diesel::internal::derives::as_expression::Bound<$crate::__private::diesel::sql_types::Text, Self>;
                fn as_expression(self) -> Self::Expression {
                    $crate::__private::diesel::internal::derives::as_expression::Bound::new(self)
                }
            }
            impl<'__a> $crate::__private::diesel::expression::AsExpression<$crate::__private::diesel::sql_types::Nullable<$crate::__private::diesel::sql_types::Text>> for $($ty)* {
                type Expression = $crate::__private::diesel::internal::derives::as_expression::Bound<$crate::__private::diesel::sql_types::Nullable<$crate::__private::diesel::sql_types::Text>, Self>;
                fn as_expression(self) -> Self::Expression {
                    $crate::__private::diesel::internal::derives::as_expression::Bound::new(self)
                }
            }
        };
    }
    pub use crate::__stored_enum_expressions as stored_enum_expressions;

    #[cfg(feature = "mysql")]
    diesel::define_sql_function! {
        /// MySQL's `LAST_INSERT_ID()`: the first key generated by the last INSERT.
        fn last_insert_id() -> diesel::sql_types::Unsigned<diesel::sql_types::BigInt>;
    }
}
