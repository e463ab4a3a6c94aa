use ff_runtime::prelude::*;

#[derive(Entity, Debug, Clone)]
pub struct Category {
    pub id: i32,
    pub name: String,
}

#[derive(Entity, Debug, Clone)]
pub struct Product {
    pub id: i32,
    #[ff(belongs_to = Category)]
    pub category_id: i64,
}

fn main() {}
