use ff_runtime::prelude::*;

#[derive(Entity, Debug, Clone)]
pub struct Product {
    pub id: i32,
    #[ff(validate(range(min = 1)))]
    pub name: String,
    #[ff(validate(length(max = 10)))]
    pub price: f64,
    #[ff(validate(pattern = "[a-z"))]
    pub sku: String,
    #[ff(validate(length()))]
    pub code: String,
    #[ff(validate(email))]
    pub contact: String,
}

fn main() {}
