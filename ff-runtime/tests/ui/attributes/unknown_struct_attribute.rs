use ff_runtime::prelude::*;

#[derive(Entity)]
#[ff(name = "products")]
pub struct Product {
    pub id: i32,
    pub name: String,
}

fn main() {}
