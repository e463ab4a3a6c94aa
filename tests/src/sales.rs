//! Customers and their orders with a decimal total: what grouped aggregates and annotations
//! add up, in tests and benches.

use bigdecimal::BigDecimal;
use ff_runtime::prelude::*;

/// Someone who orders.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(table = "client", has_many(sales = Sale))]
pub struct Client {
    pub id: i32,
    #[ff(length = 100)]
    pub name: String,
    #[ff(length = 2)]
    pub country: Option<String>,
}

/// An order of a client, with its total and an optional discount and coupon code.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(table = "sale", index(client_id))]
pub struct Sale {
    pub id: i64,
    #[ff(belongs_to = Client, on_delete = "cascade")]
    pub client_id: i32,
    #[ff(precision = 15, scale = 2)]
    pub total: BigDecimal,
    #[ff(precision = 9, scale = 4)]
    pub discount: Option<BigDecimal>,
    #[ff(length = 20)]
    pub coupon: Option<String>,
}

diesel::allow_tables_to_appear_in_same_query!(client, sale);

/// The tables of this fixture.
pub fn sales_tables() -> Vec<&'static ff_runtime::schema::TableDef> {
    vec![Client::META, Sale::META]
}
