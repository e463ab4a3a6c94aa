use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Product {
    pub id: i32,
    #[ff(length = 0)]
    pub code: String,
    #[ff(precision = 4, scale = 6)]
    pub price: bigdecimal::BigDecimal,
    #[ff(belongs_to = Product, on_delete = "set null")]
    pub parent_id: i32,
    #[ff(default = now)]
    pub stock: i32,
    #[ff(default = "yes")]
    pub active: bool,
    #[ff(skip, on_delete = "cascade")]
    pub cache: String,
}

fn main() {}
