use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Product {
    pub id: i32,
    #[ff(lenght = 255)]
    pub name: String,
}

fn main() {}
