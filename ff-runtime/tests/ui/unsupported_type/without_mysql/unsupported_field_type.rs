use ff_runtime::prelude::*;

pub struct Money {
    pub cents: i64,
}

#[derive(Entity)]
pub struct Product {
    pub id: i32,
    pub price: Money,
}

fn main() {}
