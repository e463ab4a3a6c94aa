use ff_runtime::prelude::*;

pub struct Note {
    pub id: i32,
}

#[derive(Entity, Debug, Clone)]
#[ff(has_many(notes = Note))]
pub struct Category {
    pub id: i32,
    pub name: String,
}

fn main() {}
