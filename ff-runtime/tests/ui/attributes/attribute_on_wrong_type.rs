use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Product {
    pub id: i32,
    #[ff(length = 10)]
    pub stock: i32,
    #[ff(precision = 10)]
    pub price: f64,
    #[ff(on_delete = "cascade")]
    pub owner_id: i32,
    #[ff(skip, unique)]
    pub cached: String,
}

fn main() {}
