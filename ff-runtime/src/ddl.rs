//! Statements that create or drop a set of tables, ordered so foreign keys hold.

use crate::dialect::Dialect;
use crate::schema::TableDef;

/// The statements that create `tables` on `dialect`: parents before children, indexes after
/// their table, and foreign keys of a cycle added once every table of it exists.
pub fn create_statements(dialect: &dyn Dialect, tables: &[&TableDef]) -> Vec<String> {
    let order = creation_order(tables);
    let mut created: Vec<&str> = Vec::new();
    let mut statements = Vec::new();
    let mut deferred_fks = Vec::new();
    for table in &order {
        let deferred: Vec<&str> = if dialect.foreign_keys_checked_lazily() {
            Vec::new()
        } else {
            table
                .foreign_keys
                .iter()
                .filter(|fk| {
                    fk.referenced_table != table.name
                        && !created.contains(&fk.referenced_table.as_ref())
                })
                .map(|fk| fk.name.as_ref())
                .collect()
        };
        statements.push(dialect.create_table(table, &deferred));
        statements.extend(dialect.create_indexes(table));
        for fk in table.foreign_keys.iter() {
            if deferred.contains(&fk.name.as_ref()) {
                deferred_fks.push(dialect.add_foreign_key(&table.name, fk));
            }
        }
        created.push(&table.name);
    }
    statements.extend(deferred_fks);
    statements
}

/// The statements that drop `tables`: children before parents.
pub fn drop_statements(dialect: &dyn Dialect, tables: &[&TableDef]) -> Vec<String> {
    creation_order(tables)
        .iter()
        .rev()
        .map(|table| dialect.drop_table(&table.name))
        .collect()
}

/// Orders tables so that each comes after the tables it refers to. Tables in a cycle keep
/// their given order; their foreign keys are then added after creation.
pub fn creation_order<'a>(tables: &[&'a TableDef]) -> Vec<&'a TableDef> {
    let mut ordered: Vec<&TableDef> = Vec::with_capacity(tables.len());
    let mut remaining: Vec<&TableDef> = tables.to_vec();
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|table| {
            table.referenced_tables().all(|parent| {
                ordered.iter().any(|done| done.name == parent)
                    || !remaining.iter().any(|other| other.name == parent)
            })
        });
        // In a cycle no table is ready: take the first one and break the cycle there.
        let next = remaining.remove(ready.unwrap_or(0));
        ordered.push(next);
    }
    ordered
}
