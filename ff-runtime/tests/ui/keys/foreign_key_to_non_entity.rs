use ff_runtime::prelude::*;

pub struct Category {
    pub id: i32,
}

#[derive(Entity)]
pub struct Product {
    pub id: i32,
    #[ff(belongs_to = Category)]
    pub category_id: i32,
}

fn main() {}
