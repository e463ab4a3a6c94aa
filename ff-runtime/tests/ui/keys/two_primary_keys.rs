use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct ProductTag {
    #[ff(primary_key)]
    pub product_id: i32,
    #[ff(primary_key)]
    pub tag_id: i32,
}

fn main() {}
