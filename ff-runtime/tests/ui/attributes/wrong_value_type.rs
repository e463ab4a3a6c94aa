use ff_runtime::prelude::*;

#[derive(Entity)]
#[ff(table = products)]
pub struct Product {
    pub id: i32,
    #[ff(length = "255")]
    pub name: String,
    #[ff(default = [1, 2])]
    pub stock: i32,
    #[ff(on_delete = "explode", belongs_to = Product)]
    pub parent_id: Option<i32>,
}

fn main() {}
