//! SQL echo: every statement a connection runs, logged through `tracing` at DEBUG under the
//! target `ff::sql`, with its duration and outcome.

use std::time::Instant;

use diesel::connection::{Instrumentation, InstrumentationEvent};

/// The `tracing` target of echoed statements.
pub const ECHO_TARGET: &str = "ff::sql";

/// Which statements a connection logs (see [`Connection::set_echo`](crate::Connection::set_echo)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Echo {
    /// Nothing is logged.
    #[default]
    Off,
    /// Each statement's SQL, duration and outcome; bind values are left out.
    Statements,
    /// As `Statements`, with the bind values.
    WithBinds,
}

impl std::fmt::Display for Echo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Echo::Off => "off",
            Echo::Statements => "statements",
            Echo::WithBinds => "statements with binds",
        })
    }
}

/// Diesel's instrumentation that logs finished statements.
pub(crate) struct EchoInstrumentation {
    binds: bool,
    started: Option<Instant>,
    /// The binds shown when the running statement started (with `binds` only): diesel-async's
    /// PostgreSQL and MySQL connections show them then, and only the SQL when it finishes.
    start_binds: Option<String>,
}

impl EchoInstrumentation {
    /// The instrumentation for `echo`, `None` when it is off.
    pub(crate) fn new(echo: Echo) -> Option<EchoInstrumentation> {
        let binds = match echo {
            Echo::Off => return None,
            Echo::Statements => false,
            Echo::WithBinds => true,
        };
        Some(EchoInstrumentation {
            binds,
            started: None,
            start_binds: None,
        })
    }
}

impl Instrumentation for EchoInstrumentation {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                self.started = Some(Instant::now());
                self.start_binds = self
                    .binds
                    .then(|| split_binds(&query.to_string()).1.map(str::to_owned))
                    .flatten();
            }
            InstrumentationEvent::FinishQuery { query, error, .. } => {
                let duration_us = self
                    .started
                    .take()
                    .map_or(0, |start| start.elapsed().as_micros() as u64);
                let text = query.to_string();
                let (sql, binds) = split_binds(&text);
                let start_binds = self.start_binds.take();
                let binds = self
                    .binds
                    .then(|| binds.or(start_binds.as_deref()).unwrap_or(""));
                let error = error.map(|error| error_text(error, self.binds));
                tracing::debug!(
                    target: ECHO_TARGET,
                    sql,
                    binds,
                    duration_us,
                    ok = error.is_none(),
                    error = error.as_deref()
                );
            }
            _ => {}
        }
    }
}

/// A statement as Diesel shows it, `<sql> -- binds: [<values>]`, split into its SQL and its
/// binds. The SQL holds placeholders, never values, so the first marker starts the binds.
fn split_binds(text: &str) -> (&str, Option<&str>) {
    match text.split_once(" -- binds: ") {
        Some((sql, binds)) => (sql, Some(binds)),
        None => (text, None),
    }
}

/// A failed statement's error. A database's message may quote the offending value (MySQL's
/// "Duplicate entry 'x'"), so it is shown only with the bind values; otherwise only its kind.
fn error_text(error: &diesel::result::Error, binds: bool) -> String {
    match error {
        diesel::result::Error::DatabaseError(kind, _) if !binds => format!("{kind:?}"),
        error => error.to_string(),
    }
}
