use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Product<T> {
    pub id: i32,
    pub payload: T,
}

fn main() {}
