use ff_runtime::prelude::*;

#[derive(Entity, Debug, Clone)]
#[ff(many_to_many(tags = Tag, through = ProductTag))]
pub struct Product {
    pub id: i32,
    pub name: String,
}

#[derive(Entity, Debug, Clone)]
pub struct Tag {
    pub id: i32,
    pub name: String,
}

#[derive(Entity, Debug, Clone)]
pub struct ProductTag {
    pub id: i32,
    #[ff(belongs_to = Product)]
    pub product_id: i32,
    #[ff(belongs_to = Tag)]
    pub tag_id: i32,
}

fn main() {}
