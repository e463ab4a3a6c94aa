//! The shop's entities: categories, products, and orders with their items.

use ff_runtime::prelude::*;
use serde::Serialize;

/// A group of products; its name is unique.
#[derive(Entity, Debug, Clone, PartialEq, Serialize)]
#[ff(has_many(products = Product))]
pub struct Category {
    pub id: i32,
    #[ff(length = 100, unique)]
    pub name: String,
}

/// Something the shop sells. `version` guards updates: a change made from a stale copy is
/// refused instead of overwriting someone else's.
#[derive(Entity, Debug, Clone, PartialEq, Serialize)]
#[ff(index(category_id, price))]
pub struct Product {
    pub id: i32,
    #[ff(length = 255, index)]
    pub name: String,
    pub description: Option<String>,
    #[ff(check = "price >= 0")]
    pub price: f64,
    #[ff(unique, length = 32)]
    pub sku: String,
    #[ff(belongs_to = Category, on_delete = "cascade")]
    pub category_id: i32,
    #[ff(version, default = 1)]
    pub version: i32,
}

/// A customer's order; its lines are `OrderItem`s. The table is `order`, a reserved SQL word
/// that ff quotes wherever it names it.
#[derive(Entity, Debug, Clone, PartialEq, Serialize)]
#[ff(has_many(items = OrderItem))]
pub struct Order {
    pub id: i32,
    #[ff(length = 120)]
    pub customer: String,
}

/// One line of an order: a product, how many, and its price when the order was placed. A
/// product that was ordered cannot be deleted.
#[derive(Entity, Debug, Clone, PartialEq, Serialize)]
pub struct OrderItem {
    pub id: i32,
    #[ff(belongs_to = Order, on_delete = "cascade")]
    pub order_id: i32,
    #[ff(belongs_to = Product, on_delete = "restrict")]
    pub product_id: i32,
    #[ff(check = "quantity > 0")]
    pub quantity: i32,
    pub unit_price: f64,
}
