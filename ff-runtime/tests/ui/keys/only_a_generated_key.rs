use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Tag {
    pub id: i32,
}

fn main() {}
