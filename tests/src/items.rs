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

/// The hand-written diesel-async side of the async benchmarks: the same work as ff's
/// repository, on the diesel-async connection inside an `AsyncConnection`.
pub mod by_hand {
    use diesel::{QueryDsl, QueryResult, SelectableHelper};
    use ff_runtime::AsyncConnection;
    use ff_runtime::AsyncDriver;
    use ff_runtime::diesel_async::{RunQueryDsl, SimpleAsyncConnection};

    use super::{AsyncItem, HandItem, NewHandItem, hand_item, new_hand_item};

    /// Every row of `async_item`.
    pub async fn load_all(conn: &mut AsyncConnection) -> QueryResult<Vec<HandItem>> {
        match conn.driver() {
            AsyncDriver::Sqlite(c) => all(c).await,
            AsyncDriver::Postgres(c) => all(c).await,
            #[cfg(feature = "mysql")]
            AsyncDriver::Mysql(c) => all(c).await,
        }
    }

    async fn all<C>(c: &mut C) -> QueryResult<Vec<HandItem>>
    where
        C: ff_runtime::diesel_async::AsyncConnection,
        for<'q> diesel::dsl::Select<hand_item::table, diesel::dsl::AsSelect<HandItem, C::Backend>>:
            ff_runtime::diesel_async::methods::LoadQuery<'q, C, HandItem>,
    {
        hand_item::table
            .select(HandItem::as_select())
            .load::<HandItem>(c)
            .await
    }

    /// Inserts `item` and returns the stored row: RETURNING where the database has it; on
    /// MySQL the INSERT, then the row read back by `LAST_INSERT_ID()`.
    pub async fn insert(conn: &mut AsyncConnection, item: &AsyncItem) -> QueryResult<HandItem> {
        let row = new_hand_item(item);
        match conn.driver() {
            AsyncDriver::Sqlite(c) => {
                diesel::insert_into(hand_item::table)
                    .values(&row)
                    .returning(HandItem::as_returning())
                    .get_result(c)
                    .await
            }
            AsyncDriver::Postgres(c) => {
                diesel::insert_into(hand_item::table)
                    .values(&row)
                    .returning(HandItem::as_returning())
                    .get_result(c)
                    .await
            }
            #[cfg(feature = "mysql")]
            AsyncDriver::Mysql(c) => {
                diesel::insert_into(hand_item::table)
                    .values(&row)
                    .execute(c)
                    .await?;
                let id = diesel::select(super::last_insert_id())
                    .get_result::<u64>(c)
                    .await?;
                hand_item::table
                    .find(id as i32)
                    .select(HandItem::as_select())
                    .first(c)
                    .await
            }
        }
    }

    /// Inserts `items`: one multi-row INSERT on the servers. Diesel cannot batch rows with
    /// optional columns on SQLite (no DEFAULT keyword): there, as its sync connection does,
    /// one INSERT per row in a transaction.
    pub async fn insert_many(conn: &mut AsyncConnection, items: &[AsyncItem]) -> QueryResult<()> {
        let rows: Vec<NewHandItem> = items.iter().map(new_hand_item).collect();
        match conn.driver() {
            AsyncDriver::Sqlite(c) => {
                c.batch_execute("BEGIN").await?;
                for row in &rows {
                    diesel::insert_into(hand_item::table)
                        .values(row)
                        .execute(c)
                        .await?;
                }
                c.batch_execute("COMMIT").await
            }
            AsyncDriver::Postgres(c) => diesel::insert_into(hand_item::table)
                .values(&rows)
                .execute(c)
                .await
                .map(drop),
            #[cfg(feature = "mysql")]
            AsyncDriver::Mysql(c) => diesel::insert_into(hand_item::table)
                .values(&rows)
                .execute(c)
                .await
                .map(drop),
        }
    }
}
