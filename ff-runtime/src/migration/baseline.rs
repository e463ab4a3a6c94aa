//! Recognising a database that already has the tables its first migration creates, as after
//! the migrations were recreated (`clear-migration`, then `create-migration`): `upgrade
//! --baseline` then records that migration as applied instead of running it, like Django's
//! `migrate --fake-initial`.

use std::collections::{BTreeMap, BTreeSet};

use super::error::Result;
use super::history::History;
use super::runner::{Lock, Setup, applied, interrupted, with_target};
use crate::Connection;
use crate::introspect::{LiveSchema, compare_ignoring_column_order, expected_live};

/// How the live database stands against the first migration of a history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// Nothing to decide: the database records applied migrations (or a run that stopped
    /// halfway), there are none, or none of the first migration's tables exists.
    NotNeeded,
    /// Every table is exactly as the first migration creates it, and there is no other.
    Matches {
        /// The first migration's folder name.
        migration: String,
        /// Its tables.
        tables: Vec<String>,
        /// Whether it is now recorded as applied.
        recorded: bool,
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
/// database records no applied migration but has some of its tables; with `record`, records
/// that migration as applied (with its checksum, without running it) when they match
/// exactly. The objects named in `ignored` (tables, indexes, constraints ff does not manage:
/// see [`LiveSchema::without`]) are left out of the comparison. Under the runner lock, so that
/// another runner's half-done work is never taken for a database made by hand.
///
/// ```
/// use std::collections::BTreeSet;
///
/// use ff_runtime::Connection;
/// use ff_runtime::migration::{self, Baseline, History};
///
/// let mut conn = Connection::establish("sqlite://:memory:")?;
/// // A fresh database: `upgrade` creates the tables as usual.
/// let history = History::default(); // History::load(Path::new("migrations"))? in a project
/// assert_eq!(migration::baseline(&mut conn, &history, true, &BTreeSet::new())?, Baseline::NotNeeded);
/// # Ok::<(), migration::MigrationError>(())
/// ```
pub fn baseline(
    conn: &mut Connection,
    history: &History,
    record: bool,
    ignored: &BTreeSet<String>,
) -> Result<Baseline> {
    let Some(first) = history.migrations.first() else {
        return Ok(Baseline::NotNeeded);
    };
    if !applied(conn)?.is_empty() || interrupted(conn)?.is_some() {
        return Ok(Baseline::NotNeeded);
    }
    let backend = conn.backend();
    with_target(conn, Lock::Exclusive, |runner| {
        let setup = if record {
            Setup::Create
        } else {
            Setup::ReadOnly
        };
        if !runner.applied(setup)?.is_empty() || !runner.progress()?.is_empty() {
            return Ok(Baseline::NotNeeded);
        }
        let live = runner.live_schema()?.without(ignored);
        let expected = expected_live(&first.snapshot, backend).without(ignored);
        if !expected
            .tables
            .keys()
            .any(|name| live.tables.contains_key(name))
        {
            return Ok(Baseline::NotNeeded);
        }
        let differences = differences_by_table(&expected, &live);
        if !differences.is_empty() {
            return Ok(Baseline::Differs {
                migration: first.name(),
                tables: differences,
            });
        }
        if record {
            runner.in_transaction(&mut |runner| runner.record(first.version(), &first.checksum))?;
        }
        Ok(Baseline::Matches {
            migration: first.name(),
            tables: expected.tables.keys().cloned().collect(),
            recorded: record,
        })
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
