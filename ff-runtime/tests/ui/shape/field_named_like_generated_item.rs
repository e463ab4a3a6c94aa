use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Visit {
    pub id: i32,
    pub table: String,
    pub visit: i32,
}

fn main() {}
