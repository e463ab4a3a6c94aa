use ff_runtime::prelude::*;

#[derive(Entity, Debug, Clone)]
#[ff(has_many(products = Product))]
pub struct Category {
    pub id: i32,
    pub name: String,
}

#[derive(Entity, Debug, Clone)]
pub struct Product {
    pub id: i32,
    pub category_id: i32,
}

fn main() {}
