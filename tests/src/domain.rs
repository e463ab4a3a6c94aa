//! The demo domain shared by tests, docs and examples, plus entities that exercise every
//! column type and constraint.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use ff_runtime::prelude::*;

/// A product category; `parent_id` makes a tree.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(has_many(products = Product), has_many(children = Category))]
pub struct Category {
    pub id: i32,
    #[ff(length = 100, unique)]
    pub name: String,
    #[ff(belongs_to = Category, on_delete = "set null")]
    pub parent_id: Option<i32>,
}

/// Something the store sells.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(index(category_id, price), many_to_many(tags = Tag, through = ProductTag))]
pub struct Product {
    pub id: i32,
    #[ff(length = 255, index)]
    pub name: String,
    pub description: Option<String>,
    #[ff(check = "price >= 0")]
    pub price: f64,
    #[ff(default = true)]
    pub is_active: bool,
    #[ff(unique, length = 32)]
    pub sku: String,
    #[ff(belongs_to = Category, on_delete = "restrict")]
    pub category_id: Option<i32>,
}

impl Product {
    /// A new, active product without description (its key is generated on insert).
    pub fn new(name: &str, price: f64, sku: &str, category_id: Option<i32>) -> Product {
        Product {
            id: 0,
            name: name.into(),
            description: None,
            price,
            is_active: true,
            sku: sku.into(),
            category_id,
        }
    }
}

/// A label on products.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Tag {
    pub id: i32,
    #[ff(unique, length = 50)]
    pub name: String,
}

/// The link between a product and a tag.
#[derive(Entity, Debug, Clone, PartialEq, Default)]
#[ff(table = "product_tag", unique(product_id, tag_id))]
pub struct ProductTag {
    pub id: i32,
    #[ff(belongs_to = Product, on_delete = "cascade")]
    pub product_id: i32,
    #[ff(belongs_to = Tag, on_delete = "cascade")]
    pub tag_id: i32,
}

/// The state of an order, stored as text.
#[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Pending,
    Paid,
    #[ff(rename = "sent")]
    Shipped,
}

/// A customer, keyed by a UUID the application generates.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(has_many(orders = Order))]
pub struct Customer {
    #[ff(primary_key)]
    pub uid: uuid::Uuid,
    #[ff(unique, length = 190)]
    pub email: String,
    #[ff(column = "display_name")]
    pub name: String,
    /// Not stored: computed by the application.
    #[ff(skip)]
    pub cart_size: usize,
}

impl Customer {
    /// A new customer with a fresh UUID and an address made from the name.
    pub fn new(name: &str) -> Customer {
        Customer {
            uid: uuid::Uuid::new_v4(),
            email: format!("{}@example.com", name.to_lowercase()),
            name: name.into(),
            cart_size: 0,
        }
    }
}

/// An order of a customer.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(table = "orders")]
pub struct Order {
    pub id: i64,
    #[ff(belongs_to = Customer, on_delete = "cascade")]
    pub customer_uid: uuid::Uuid,
    pub status: OrderStatus,
    pub placed_at: DateTime<Utc>,
}

impl Order {
    /// A new order of `customer_uid` (its key is generated on insert).
    pub fn new(customer_uid: uuid::Uuid, status: OrderStatus, placed_at: DateTime<Utc>) -> Order {
        Order {
            id: 0,
            customer_uid,
            status,
            placed_at,
        }
    }
}

/// A line of an order.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub id: i32,
    #[ff(belongs_to = Order, on_delete = "cascade")]
    pub order_id: i64,
    #[ff(belongs_to = Product)]
    pub product_id: i32,
    pub quantity: i16,
    #[ff(precision = 10, scale = 2)]
    pub unit_price: BigDecimal,
}

/// Every supported column type, non-null and nullable.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct AllTypes {
    pub id: i32,
    pub small: i16,
    pub int: i32,
    pub big: i64,
    pub float: f32,
    pub double: f64,
    pub flag: bool,
    pub text: String,
    pub bytes: Vec<u8>,
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub timestamp: NaiveDateTime,
    pub instant: DateTime<Utc>,
    pub uuid: uuid::Uuid,
    pub json: serde_json::Value,
    #[ff(precision = 30, scale = 10)]
    pub decimal: BigDecimal,
    pub status: OrderStatus,
    pub maybe_int: Option<i64>,
    pub maybe_double: Option<f64>,
    pub maybe_text: Option<String>,
    pub maybe_bytes: Option<Vec<u8>>,
    pub maybe_timestamp: Option<NaiveDateTime>,
    pub maybe_instant: Option<DateTime<Utc>>,
    pub maybe_uuid: Option<uuid::Uuid>,
    pub maybe_json: Option<serde_json::Value>,
    pub maybe_decimal: Option<BigDecimal>,
    pub maybe_status: Option<OrderStatus>,
}

/// A row of table `strict_note` seen through a struct whose `body` may be NULL, to provoke
/// NOT NULL violations that the strict struct cannot express.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(table = "strict_note")]
pub struct LooseNote {
    pub id: i32,
    pub body: Option<String>,
}

/// Table `strict_note`, whose `body` is NOT NULL.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct StrictNote {
    pub id: i32,
    pub body: String,
}

// Joins in Diesel's DSL are declared the Diesel way, once for the whole schema.
diesel::joinable!(product -> category (category_id));
diesel::joinable!(product_tag -> product (product_id));
diesel::joinable!(product_tag -> tag (tag_id));
diesel::joinable!(order -> customer (customer_uid));
diesel::joinable!(order_item -> order (order_id));
diesel::joinable!(order_item -> product (product_id));
diesel::allow_tables_to_appear_in_same_query!(
    category,
    product,
    tag,
    product_tag,
    customer,
    order,
    order_item
);

/// The tables of the demo domain, in any order: `create_tables` sorts them.
pub fn store_tables() -> Vec<&'static ff_runtime::schema::TableDef> {
    vec![
        OrderItem::META,
        Order::META,
        Customer::META,
        ProductTag::META,
        Tag::META,
        Product::META,
        Category::META,
    ]
}
