//! The endpoints: one handler each, every one on a connection from the pool.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use ff_runtime::prelude::*;
use ff_runtime::{AsyncPool, AsyncRepository};
use serde::{Deserialize, Serialize};

use crate::entities::{Category, Order, OrderItem, Product, category, product};
use crate::error::{ApiError, ApiResult, no_route};

/// The largest page `GET /products` serves.
pub const MAX_PER_PAGE: i64 = 100;

/// The API's routes, each answering JSON.
pub fn router(pool: AsyncPool) -> Router {
    Router::new()
        .route("/categories", get(list_categories).post(create_category))
        .route("/products", get(list_products).post(create_product))
        .route(
            "/products/{id}",
            get(show_product).put(update_product).delete(delete_product),
        )
        .route("/orders", post(create_order))
        .route("/orders/{id}", get(show_order))
        .fallback(no_route)
        .with_state(pool)
}

/// The body of `POST /categories`.
#[derive(Deserialize)]
pub struct NewCategory {
    pub name: String,
}

async fn create_category(
    State(pool): State<AsyncPool>,
    input: Result<Json<NewCategory>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    let Json(input) = input?;
    let mut conn = pool.get().await?;
    let category = AsyncRepository::<Category>::new(&mut conn)
        .insert(&Category {
            id: 0,
            name: input.name,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(category)))
}

async fn list_categories(State(pool): State<AsyncPool>) -> ApiResult<Json<Vec<Category>>> {
    let mut conn = pool.get().await?;
    let categories = Category::query()
        .order_by(category::name.asc())
        .load(&mut conn)
        .await?;
    Ok(Json(categories))
}

/// A product's fields as a client writes them (`POST /products`, and `PUT` with `version`).
#[derive(Deserialize)]
pub struct ProductFields {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub price: f64,
    pub sku: String,
    pub category_id: i32,
}

impl ProductFields {
    fn into_product(self, id: i32, version: i32) -> Product {
        Product {
            id,
            name: self.name,
            description: self.description,
            price: self.price,
            sku: self.sku,
            category_id: self.category_id,
            version,
        }
    }
}

/// The body of `PUT /products/{id}`: every field, and the version the client read.
#[derive(Deserialize)]
pub struct ProductUpdate {
    #[serde(flatten)]
    pub fields: ProductFields,
    pub version: i32,
}

/// The query of `GET /products`.
#[derive(Deserialize)]
pub struct ProductFilter {
    #[serde(default = "first_page")]
    pub page: i64,
    #[serde(default = "default_per_page")]
    pub per_page: i64,
    pub category: Option<i32>,
}

fn first_page() -> i64 {
    1
}

fn default_per_page() -> i64 {
    20
}

/// One page of products.
#[derive(Serialize)]
pub struct ProductPage {
    pub items: Vec<Product>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub pages: i64,
}

async fn create_product(
    State(pool): State<AsyncPool>,
    input: Result<Json<ProductFields>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Product>)> {
    let Json(input) = input?;
    let mut conn = pool.get().await?;
    let product = AsyncRepository::<Product>::new(&mut conn)
        .insert(&input.into_product(0, 1))
        .await?;
    Ok((StatusCode::CREATED, Json(product)))
}

async fn list_products(
    State(pool): State<AsyncPool>,
    filter: Result<Query<ProductFilter>, QueryRejection>,
) -> ApiResult<Json<ProductPage>> {
    let Query(filter) = filter?;
    if filter.per_page > MAX_PER_PAGE {
        return Err(ApiError::Invalid(format!(
            "per_page is {}: ask for at most {MAX_PER_PAGE} products per page",
            filter.per_page
        )));
    }
    let mut query = Product::query().order_by(product::id.asc());
    if let Some(category) = filter.category {
        query = query.filter(product::category_id.eq(category));
    }
    let mut conn = pool.get().await?;
    let page = query
        .paginate(filter.page, filter.per_page, &mut conn)
        .await?;
    let pages = page.pages();
    Ok(Json(ProductPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        pages,
    }))
}

async fn show_product(
    State(pool): State<AsyncPool>,
    id: Result<Path<i32>, PathRejection>,
) -> ApiResult<Json<Product>> {
    let Path(id) = id?;
    let mut conn = pool.get().await?;
    let found = AsyncRepository::<Product>::new(&mut conn).find(&id).await?;
    found
        .map(Json)
        .ok_or_else(|| not_found(Product::TABLE_NAME))
}

async fn update_product(
    State(pool): State<AsyncPool>,
    id: Result<Path<i32>, PathRejection>,
    input: Result<Json<ProductUpdate>, JsonRejection>,
) -> ApiResult<Json<Product>> {
    let Path(id) = id?;
    let Json(input) = input?;
    let mut conn = pool.get().await?;
    let mut products = AsyncRepository::<Product>::new(&mut conn);
    products
        .update(&input.fields.into_product(id, input.version))
        .await?;
    let stored = products.find(&id).await?;
    stored
        .map(Json)
        .ok_or_else(|| not_found(Product::TABLE_NAME))
}

async fn delete_product(
    State(pool): State<AsyncPool>,
    id: Result<Path<i32>, PathRejection>,
) -> ApiResult<StatusCode> {
    let Path(id) = id?;
    let mut conn = pool.get().await?;
    match AsyncRepository::<Product>::new(&mut conn)
        .delete_by(product::id.eq(id))
        .await?
    {
        0 => Err(not_found(Product::TABLE_NAME)),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}

/// One line of `POST /orders`.
#[derive(Deserialize)]
pub struct NewItem {
    pub product_id: i32,
    pub quantity: i32,
}

/// The body of `POST /orders`.
#[derive(Deserialize)]
pub struct NewOrder {
    pub customer: String,
    pub items: Vec<NewItem>,
}

/// An order with its items and what it costs.
#[derive(Serialize)]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    pub items: Vec<OrderItem>,
    pub total: f64,
}

impl OrderView {
    fn new(order: Order, items: Vec<OrderItem>) -> OrderView {
        let total = items
            .iter()
            .map(|item| item.unit_price * f64::from(item.quantity))
            .sum();
        OrderView {
            order,
            items,
            total,
        }
    }
}

/// Places an order and its items in one transaction: a missing product or a bad quantity
/// leaves nothing behind.
async fn create_order(
    State(pool): State<AsyncPool>,
    input: Result<Json<NewOrder>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let Json(input) = input?;
    if input.items.is_empty() {
        return Err(ApiError::Invalid(
            "an order needs at least one item: give `items` as [{\"product_id\": …, \"quantity\": …}]"
                .to_owned(),
        ));
    }
    let mut conn = pool.get().await?;
    let (order, items) = conn
        .transaction(async |conn| {
            let order = AsyncRepository::<Order>::new(conn)
                .insert(&Order {
                    id: 0,
                    customer: input.customer,
                })
                .await?;
            let mut items = Vec::with_capacity(input.items.len());
            for line in &input.items {
                let Some(product) = AsyncRepository::<Product>::new(conn)
                    .find(&line.product_id)
                    .await?
                else {
                    return Err(ApiError::Invalid(format!(
                        "product {} does not exist: order products that GET /products lists",
                        line.product_id
                    )));
                };
                items.push(OrderItem {
                    id: 0,
                    order_id: order.id,
                    product_id: product.id,
                    quantity: line.quantity,
                    unit_price: product.price,
                });
            }
            let items = AsyncRepository::<OrderItem>::new(conn)
                .insert_many_returning(&items)
                .await?;
            Ok((order, items))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(OrderView::new(order, items))))
}

async fn show_order(
    State(pool): State<AsyncPool>,
    id: Result<Path<i32>, PathRejection>,
) -> ApiResult<Json<OrderView>> {
    let Path(id) = id?;
    let mut conn = pool.get().await?;
    let order = AsyncRepository::<Order>::new(&mut conn)
        .find(&id)
        .await?
        .ok_or_else(|| not_found(Order::TABLE_NAME))?;
    let items = order.items(&mut *conn).await?;
    Ok(Json(OrderView::new(order, items)))
}

fn not_found(table: &str) -> ApiError {
    ApiError::Ff(Error::NotFound {
        table: table.to_owned(),
    })
}
