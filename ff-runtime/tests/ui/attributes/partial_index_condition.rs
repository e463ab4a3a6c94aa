use ff_runtime::prelude::*;

#[derive(Entity)]
#[ff(index(active, where = ""))]
#[ff(unique(email, where = "deleted_at IS NULL; DROP TABLE account"))]
#[ff(index(email, where = "active", where = "email <> ''"))]
pub struct Account {
    pub id: i32,
    pub email: String,
    #[ff(index)]
    pub active: bool,
    pub deleted_at: Option<i64>,
}

fn main() {}
