//! Recognising a database that already has the tables its first migration creates, as after
//! the migrations were recreated (`clear-migration`, then `create-migration`): `upgrade
//! --baseline` then records that migration as applied instead of running it, like Django's
//! `migrate --fake-initial`.

use std::collections::{BTreeMap, BTreeSet};

use super::error::Result;
use super::history::History;
use super::runner::applied;
use crate::Connection;
use crate::introspect::{LiveSchema, compare_ignoring_column_order, expected_live, live_schema};

/// How the live database stands against the first migration of a history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// Nothing to decide: the database records applied migrations, there are none, or none of
    /// the first migration's tables exists.
    NotNeeded,
    /// Every table is exactly as the first migration creates it, and there is no other.
    Matches {
        /// The first migration's folder name.
        migration: String,
        /// Its tables.
        tables: Vec<String>,
    },
    /// Some of its tables exist, but the database differs from what it creates.
    Differs {
        /// The first migration's folder name.
        migration: String,
        /// The differences, one sentence each, by table.
        tables: BTreeMap<String, Vec<String>>,
    },
}

/// Compares the live database with what the first migration of `history` creates, when the
/// database records no applied migration but has some of its tables. Only reads.
pub fn baseline(conn: &mut Connection, history: &History) -> Result<Baseline> {
    let Some(first) = history.migrations.first() else {
        return Ok(Baseline::NotNeeded);
    };
    if !applied(conn)?.is_empty() {
        return Ok(Baseline::NotNeeded);
    }
    let live = live_schema(conn)?;
    let expected = expected_live(&first.snapshot, conn.backend());
    if !expected
        .tables
        .keys()
        .any(|name| live.tables.contains_key(name))
    {
        return Ok(Baseline::NotNeeded);
    }
    let differences = differences_by_table(&expected, &live);
    Ok(if differences.is_empty() {
        Baseline::Matches {
            migration: first.name(),
            tables: expected.tables.keys().cloned().collect(),
        }
    } else {
        Baseline::Differs {
            migration: first.name(),
            tables: differences,
        }
    })
}

/// The differences between `expected` and `live`, table by table (a column's position is
/// none: see [`compare_ignoring_column_order`]).
fn differences_by_table(expected: &LiveSchema, live: &LiveSchema) -> BTreeMap<String, Vec<String>> {
    let names: BTreeSet<&String> = expected.tables.keys().chain(live.tables.keys()).collect();
    let only = |schema: &LiveSchema, name: &String| LiveSchema {
        tables: schema
            .tables
            .get(name)
            .map(|table| (name.clone(), table.clone()))
            .into_iter()
            .collect(),
    };
    names
        .into_iter()
        .filter_map(|name| {
            let differences =
                compare_ignoring_column_order(&only(expected, name), &only(live, name));
            (!differences.is_empty()).then(|| (name.clone(), differences))
        })
        .collect()
}
