use ff_runtime::prelude::*;

#[derive(Entity)]
#[ff(table = "products", renamed_from = "products")]
pub struct Product {
    pub id: i32,
    #[ff(renamed_from = "title")]
    pub title: String,
    #[ff(skip, renamed_from = "old_cache")]
    pub cache: String,
}

fn main() {}
