use ff_runtime::prelude::*;

#[derive(Entity, Debug, Clone)]
pub struct Shop {
    pub id: i32,
    pub city: String,
    pub sales: i64,
}

fn main() -> Result<(), Error> {
    let mut conn = Connection::establish(":memory:")?;
    // A sum of `i64` is a decimal: `Option<BigDecimal>`, not `Option<i64>`.
    let _totals: Vec<(String, Option<i64>)> = Shop::query()
        .group_by(shop::city)
        .select((shop::city, sum(shop::sales)))
        .load(&mut conn)?;
    Ok(())
}
