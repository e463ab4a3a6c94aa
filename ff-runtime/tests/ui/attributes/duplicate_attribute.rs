use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Product {
    pub id: i32,
    #[ff(length = 10, length = 20)]
    pub name: String,
}

fn main() {}
