//! The SQL statements a connection runs, recorded through Diesel's instrumentation.

use std::sync::{Arc, Mutex};

use ff_runtime::diesel::connection::InstrumentationEvent;
use ff_runtime::{AsyncConnection, Connection};

/// The statements run on a connection since recording began (transaction control left out).
#[derive(Clone, Default)]
pub struct Statements(Arc<Mutex<Vec<String>>>);

impl Statements {
    /// Starts recording what `conn` runs.
    pub fn record(conn: &mut Connection) -> Statements {
        let (statements, recorder) = Statements::recorder();
        conn.set_instrumentation(recorder);
        statements
    }

    /// Starts recording what the async `conn` runs.
    pub fn record_async(conn: &mut AsyncConnection) -> Statements {
        let (statements, recorder) = Statements::recorder();
        conn.set_instrumentation(recorder);
        statements
    }

    /// An empty record and the instrumentation that fills it.
    fn recorder() -> (
        Statements,
        impl FnMut(InstrumentationEvent<'_>) + Send + 'static,
    ) {
        let statements = Statements::default();
        let log = Arc::clone(&statements.0);
        let recorder = move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                let sql = query.to_string();
                if !is_transaction_control(&sql) {
                    log.lock().unwrap().push(sql);
                }
            }
        };
        (statements, recorder)
    }

    /// The statements recorded since the last call, oldest first.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    /// How many statements were recorded since the last `take`, forgetting them.
    pub fn count(&self) -> usize {
        self.take().len()
    }
}

fn is_transaction_control(sql: &str) -> bool {
    let word = sql.split_whitespace().next().unwrap_or("").to_uppercase();
    matches!(
        word.as_str(),
        "BEGIN" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "START"
    )
}

/// The columns each of these UPDATE statements writes, each set sorted, the sets sorted:
/// what a flush changed, whatever order it wrote the rows in.
pub fn updated_column_sets(statements: &[String]) -> Vec<Vec<String>> {
    let mut updates: Vec<Vec<String>> = statements
        .iter()
        .map(|sql| {
            assert!(sql.to_uppercase().starts_with("UPDATE"), "{sql}");
            let mut columns = updated_columns(sql);
            columns.sort();
            columns
        })
        .collect();
    updates.sort();
    updates
}

/// The columns an `UPDATE … SET a = …, b = … WHERE …` statement writes, unquoted.
pub fn updated_columns(sql: &str) -> Vec<String> {
    let upper = sql.to_uppercase();
    let (Some(set), Some(end)) = (upper.find(" SET "), upper.find(" WHERE ")) else {
        return Vec::new();
    };
    sql[set + 5..end]
        .split(',')
        .filter_map(|assignment| assignment.split('=').next())
        .map(|column| {
            column
                .trim()
                .trim_matches(|c| c == '"' || c == '`')
                .to_owned()
        })
        .collect()
}

/// How many assignments of an UPDATE's SET clause take a bound parameter (a version moved
/// on by `version = version + 1` takes none).
pub fn bound_assignments(sql: &str) -> usize {
    let upper = sql.to_uppercase();
    let (Some(set), Some(end)) = (upper.find(" SET "), upper.find(" WHERE ")) else {
        return 0;
    };
    sql[set + 5..end]
        .split(',')
        .filter(|assignment| assignment.contains('?') || assignment.contains('$'))
        .count()
}

/// The bind values of a statement whose binds are all integers, in order, read from Diesel's
/// debug form (`… -- binds: [7, 2, InValue(5)]`, a wrapper's name left out). Empty when the
/// statement has no binds.
pub fn integer_binds(sql: &str) -> Vec<i64> {
    let Some((_, binds)) = sql.rsplit_once("-- binds: ") else {
        return Vec::new();
    };
    binds
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(str::trim)
        .filter(|bind| !bind.is_empty())
        .map(|bind| {
            let value = bind
                .split_once('(')
                .map_or(bind, |(_, wrapped)| wrapped.trim_end_matches(')'));
            value
                .parse()
                .unwrap_or_else(|_| panic!("bind {bind} of `{sql}` is not an integer"))
        })
        .collect()
}
