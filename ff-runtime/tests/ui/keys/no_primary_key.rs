use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Product {
    pub sku: String,
    pub name: String,
}

fn main() {}
