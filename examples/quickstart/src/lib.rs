//! The ff quickstart: a small store, end to end. `main.rs` runs it on an SQLite file; the test
//! suite runs it on every backend.

use std::io::Write;

use chrono::NaiveDateTime;

use ff_runtime::prelude::*;

/// A product category; categories nest through `parent_id`.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(has_many(products = Product), has_many(children = Category))]
pub struct Category {
    pub id: i32,
    #[ff(length = 100, unique)]
    pub name: String,
    #[ff(belongs_to = Category, on_delete = "set null")]
    pub parent_id: Option<i32>,
}

/// Something the store sells.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(index(category_id, price))]
pub struct Product {
    pub id: i32,
    #[ff(length = 255, index)]
    pub name: String,
    pub description: Option<String>,
    #[ff(check = "price >= 0")]
    pub price: f64,
    #[ff(default = true)]
    pub is_active: bool,
    #[ff(unique, length = 32)]
    pub sku: String,
    #[ff(default = now)]
    pub created_at: NaiveDateTime,
    #[ff(belongs_to = Category, on_delete = "cascade")]
    pub category_id: i32,
}

/// Runs the quickstart on the database at `url` (whose tables must not exist yet) and returns
/// what it printed, line by line.
pub fn run(url: &str) -> ff_runtime::Result<Vec<String>> {
    let mut report = Vec::new();
    let mut say = |line: String| {
        // A reader that went away (`| head`) is no reason to stop the store's work.
        let _ = writeln!(std::io::stdout(), "{line}");
        report.push(line);
    };

    let mut conn = Connection::establish(url)?;
    say(format!("Connected to {}", ff_runtime::mask_password(url)));

    conn.create_tables(&[Product::META, Category::META])?;
    say("✓ Created tables `category` and `product`".to_owned());

    let lighting = Repository::<Category>::new(&mut conn).insert(&Category {
        id: 0,
        name: "Lighting".into(),
        parent_id: None,
    })?;
    let lamps = Repository::<Category>::new(&mut conn).insert(&Category {
        id: 0,
        name: "Lamps".into(),
        parent_id: Some(lighting.id),
    })?;

    let now = chrono::Utc::now().naive_utc();
    let product = |name: &str, price: f64, sku: &str| Product {
        id: 0,
        name: name.into(),
        description: None,
        price,
        is_active: true,
        sku: sku.into(),
        created_at: now,
        category_id: lamps.id,
    };
    let mut products = Repository::<Product>::new(&mut conn);
    let desk_lamp = products.insert(&product("Desk lamp", 39.9, "LMP-001"))?;
    let inserted = products.insert_many(&[
        product("Floor lamp", 129.0, "LMP-002"),
        product("Reading lamp", 24.5, "LMP-003"),
        product("Bedside lamp", 19.0, "LMP-004"),
    ])?;
    say(format!("✓ Inserted {} products", inserted + 1));

    let affordable = products.find_by(
        product::price.lt(50.0),
        product::price.asc(),
        Some(10),
        None,
    )?;
    say("Under 50, cheapest first:".to_owned());
    for p in &affordable {
        say(format!("  {:<14} {:>7.2}  {}", p.name, p.price, p.sku));
    }

    let mut renamed = desk_lamp.clone();
    renamed.description = Some("Adjustable arm, warm light".into());
    products.update(&renamed)?;
    let count = products.count(product::category_id.eq(lamps.id))?;
    say(format!("✓ {count} products in `{}`", lamps.name));

    let by_sku = Product::find_one_by_sku(&mut conn, "LMP-001")?;
    say(format!(
        "find_one_by_sku(\"LMP-001\") → {:?}",
        by_sku.as_ref().map(|p| (&p.name, &p.description))
    ));
    let children = Category::find_by_parent_id(&mut conn, Some(lighting.id))?;
    let names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
    say(format!("Subcategories of `{}`: {names:?}", lighting.name));

    let removed = Repository::<Product>::new(&mut conn).delete_by(product::price.gt(100.0))?;
    say(format!("✓ Removed {removed} product over 100"));

    let duplicate = Repository::<Product>::new(&mut conn).insert(&product("Copy", 1.0, "LMP-001"));
    if let Err(error) = duplicate {
        say(format!("Inserting a duplicate SKU fails: {error}"));
    }

    // Relations: the category of every product in one query, and a category's children.
    let all = Product::query()
        .order_by(product::name.asc())
        .load(&mut conn)?;
    let categories = Product::load_category(&mut conn, &all)?;
    let pairs: Vec<String> = all
        .iter()
        .zip(&categories)
        .map(|(p, c)| {
            format!(
                "{} → {}",
                p.name,
                c.as_ref().map_or("-", |c| c.name.as_str())
            )
        })
        .collect();
    say(format!(
        "Categories loaded in one query: {}",
        pairs.join(", ")
    ));
    let sub: Vec<String> = lighting
        .children(&mut conn)?
        .into_iter()
        .map(|c| c.name)
        .collect();
    say(format!("`{}` has children {sub:?}", lighting.name));

    // The entity manager: change loaded entities, then one flush writes what changed.
    let mut em = EntityManager::new(conn);
    let cheap = em.load(Product::query().filter(product::price.lt(30.0)))?;
    for product in &cheap {
        let mut product = product.borrow_mut();
        product.price = (product.price * 1.1 * 100.0).round() / 100.0;
    }
    em.flush()?;
    say(format!(
        "✓ Raised {} prices by 10% in one flush",
        cheap.len()
    ));

    // The query builder: a page, and an aggregate.
    let page = Product::query()
        .order_by(product::price.desc())
        .paginate(1, 2, em.connection())?;
    let names: Vec<&str> = page.items.iter().map(|p| p.name.as_str()).collect();
    say(format!(
        "Page 1 of {}, most expensive first: {names:?}",
        page.pages()
    ));
    let total: Option<f64> = Product::query().sum(product::price, em.connection())?;
    say(format!("Stock value: {:.2}", total.unwrap_or(0.0)));
    Ok(report)
}
