use ff_runtime::prelude::*;

#[derive(Entity, Debug, Clone)]
#[ff(many_to_many(tags = Tag))]
pub struct Product {
    pub id: i32,
    pub name: String,
}

fn main() {}
