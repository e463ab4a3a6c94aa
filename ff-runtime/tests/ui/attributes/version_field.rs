use ff_runtime::prelude::*;

#[derive(Entity, Debug, Clone)]
pub struct Document {
    pub id: i32,
    #[ff(version)]
    pub revision: String,
    #[ff(version)]
    pub other: i32,
}

fn main() {}
