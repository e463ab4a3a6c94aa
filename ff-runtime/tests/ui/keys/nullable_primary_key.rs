use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Product {
    pub id: Option<i32>,
}

fn main() {}
