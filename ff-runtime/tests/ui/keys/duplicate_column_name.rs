use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Product {
    pub id: i32,
    pub name: String,
    #[ff(column = "name")]
    pub title: String,
}

fn main() {}
