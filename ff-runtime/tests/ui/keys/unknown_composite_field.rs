use ff_runtime::prelude::*;

#[derive(Entity)]
#[ff(unique(name, colour))]
pub struct Product {
    pub id: i32,
    pub name: String,
}

fn main() {}
