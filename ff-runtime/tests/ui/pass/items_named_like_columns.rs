// The generated schema module imports nothing from the entity's module, so items there may
// share a column's name; and a column may take a name the generated code binds locally.
use ff_runtime::prelude::*;

#[derive(Entity, Debug, Clone)]
pub struct Visit {
    pub id: i32,
    pub at: i64,
    pub name: String,
    #[ff(column = "table")]
    pub table_name: String,
    pub on: chrono::NaiveDate,
    pub out: i32,
    pub rhs: f64,
    pub alias: Option<String>,
    pub column: bool,
}

pub fn at() -> i64 {
    0
}

#[allow(non_upper_case_globals)]
pub const name: &str = "a constant named like a column";

pub struct Table;

fn main() {
    let _ = (at(), name, Table);
    let _ = Visit::query()
        .filter(visit::at.gt(1))
        .filter(visit::name.eq(name))
        .filter(visit::table_name.ne(""));
}
