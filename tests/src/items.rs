//! The table the async benchmarks read and write, `async_item`: as an ff entity, as Diesel
//! structs written by hand the way a diesel-async user maps it, and the rows they use.

use diesel::{Insertable, Queryable, Selectable};
use ff_runtime::Entity;

/// The entity ff maps; every library in the benchmarks reads and writes its table.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct AsyncItem {
    pub id: i32,
    #[ff(length = 100)]
    pub name: String,
    pub description: Option<String>,
    pub price: f64,
    pub is_active: bool,
    pub stock: i32,
}

// The same table, mapped by hand the way a diesel-async user writes it.
diesel::table! {
    #[sql_name = "async_item"]
    hand_item (id) {
        id -> Integer,
        name -> Text,
        description -> Nullable<Text>,
        price -> Double,
        is_active -> Bool,
        stock -> Integer,
    }
}

#[cfg(feature = "mysql")]
diesel::define_sql_function! {
    /// MySQL's key of the last inserted row, as a Diesel user declares it.
    fn last_insert_id() -> diesel::sql_types::Unsigned<diesel::sql_types::BigInt>;
}

/// A row of `async_item` as a diesel-async user reads it.
#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = hand_item)]
pub struct HandItem {
    pub id: i32,
    pub name: String,
    pub description: Option<String>,
    pub price: f64,
    pub is_active: bool,
    pub stock: i32,
}

/// A new row of `async_item` as a diesel-async user writes it.
#[derive(Insertable)]
#[diesel(table_name = hand_item)]
pub struct NewHandItem<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub price: f64,
    pub is_active: bool,
    pub stock: i32,
}

/// The `i`th row of the benchmarks: every other one without a description.
pub fn item(i: i32) -> AsyncItem {
    AsyncItem {
        id: 0,
        name: format!("item {i}"),
        description: (i % 2 == 0).then(|| format!("description of item {i}")),
        price: f64::from(i) * 1.5,
        is_active: i % 3 != 0,
        stock: i,
    }
}

/// `item` as the hand-written Diesel code inserts it.
pub fn new_hand_item(item: &AsyncItem) -> NewHandItem<'_> {
    NewHandItem {
        name: &item.name,
        description: item.description.as_deref(),
        price: item.price,
        is_active: item.is_active,
        stock: item.stock,
    }
}
