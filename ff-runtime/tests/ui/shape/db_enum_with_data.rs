use ff_runtime::prelude::*;

#[derive(DbEnum)]
pub enum Status {
    Active,
    Archived { reason: String },
    #[ff(rename = "active")]
    Enabled,
}

fn main() {}
