use ff_runtime::prelude::*;

#[derive(Entity)]
pub struct Product(i32, String);

fn main() {}
