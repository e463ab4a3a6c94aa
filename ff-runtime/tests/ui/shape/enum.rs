use ff_runtime::prelude::*;

#[derive(Entity)]
pub enum Status {
    Active,
    Archived,
}

fn main() {}
