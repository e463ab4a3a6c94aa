//! Two entity managers, each on its own connection and thread, flushing overlapping rows at the
//! same time: because every flush writes a table's rows in key order, the two never lock rows
//! in opposite orders, so neither flush fails with a deadlock.
//!
//! PostgreSQL and MySQL/MariaDB only. SQLite locks the whole database for a writer, not rows,
//! so the order of a flush's writes cannot make or break a deadlock there.

use std::sync::Barrier;

use ff_runtime::prelude::*;
use ff_runtime::{Backend, EntityManager};
use ff_tests::{TestDatabase, each_backend_database};

/// A row both managers change, each in a column of its own, so that neither overwrites what
/// the other wrote (a flush writes only the changed columns).
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Tally {
    pub id: i32,
    pub left: i64,
    pub right: i64,
}

const ROWS: i32 = 64;
const ROUNDS: i64 = 50;
/// Rows 1..=48 are changed by the left manager, rows 17..=64 by the right one.
const LEFT_ROWS: std::ops::RangeInclusive<i32> = 1..=48;
const RIGHT_ROWS: std::ops::RangeInclusive<i32> = 17..=ROWS;
/// Start values near the ends of i64, so a wrong sum would overflow or show.
const LEFT_START: i64 = i64::MIN + 1_000_000;
const RIGHT_START: i64 = i64::MAX - 1_000_000;

/// The left manager adds to its column, the right one subtracts from its own.
fn left_step(round: i64, id: i32) -> i64 {
    round * 7 + i64::from(id)
}

fn right_step(round: i64, id: i32) -> i64 {
    -(round * 5 + i64::from(id) * 3)
}

#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
}

impl Side {
    fn rows(self) -> std::ops::RangeInclusive<i32> {
        match self {
            Side::Left => LEFT_ROWS,
            Side::Right => RIGHT_ROWS,
        }
    }

    /// Changes this side's rows of `tallies` for `round`, visiting them in an order of its own:
    /// the left side from the lowest key up, the right side from the highest key down.
    fn change(self, tallies: &[Managed<Tally>], round: i64) {
        let mut mine: Vec<&Managed<Tally>> = tallies
            .iter()
            .filter(|tally| self.rows().contains(&tally.borrow().id))
            .collect();
        mine.sort_by_key(|tally| tally.borrow().id);
        if let Side::Right = self {
            mine.reverse();
        }
        for tally in mine {
            let mut tally = tally.borrow_mut();
            let id = tally.id;
            match self {
                Side::Left => tally.left += left_step(round, id),
                Side::Right => tally.right += right_step(round, id),
            }
        }
    }
}

/// Runs `ROUNDS` rounds on `side`'s own manager: load every row, change this side's rows, wait
/// for the other side, then flush inside a transaction. Returns the errors of failed rounds.
fn run_side(database: &TestDatabase, side: Side, barrier: &Barrier) -> Vec<String> {
    let mut em = EntityManager::new(database.connect());
    let mut errors = Vec::new();
    for round in 1..=ROUNDS {
        let outcome = em.transaction(|em| {
            let loaded = em.load(Tally::query());
            if let Ok(tallies) = &loaded {
                side.change(tallies, round);
            }
            // Both flushes start together, so their writes overlap in time.
            barrier.wait();
            loaded.map(drop)
        });
        if let Err(error) = outcome {
            errors.push(format!("round {round}: {error}"));
        }
        em.clear();
        // Rounds start together too, whatever happened to the last one.
        barrier.wait();
    }
    errors
}

/// The rows as Rust computes them after every round of both sides.
fn expected_rows() -> Vec<Tally> {
    (1..=ROWS)
        .map(|id| {
            let mut tally = Tally {
                id,
                left: LEFT_START,
                right: RIGHT_START,
            };
            for round in 1..=ROUNDS {
                if LEFT_ROWS.contains(&id) {
                    tally.left = tally.left.checked_add(left_step(round, id)).unwrap();
                }
                if RIGHT_ROWS.contains(&id) {
                    tally.right = tally.right.checked_add(right_step(round, id)).unwrap();
                }
            }
            tally
        })
        .collect()
}

#[test]
fn two_managers_flushing_overlapping_rows_at_once_never_deadlock() {
    each_backend_database(|database| {
        if database.backend() == Backend::Sqlite {
            return;
        }
        let mut conn = database.connect();
        conn.create_tables(&[Tally::META]).unwrap();
        let rows: Vec<Tally> = (1..=ROWS)
            .map(|id| Tally {
                id,
                left: LEFT_START,
                right: RIGHT_START,
            })
            .collect();
        Repository::<Tally>::new(&mut conn)
            .insert_with_keys(&rows)
            .unwrap();

        let barrier = Barrier::new(2);
        let (left_errors, right_errors) = std::thread::scope(|scope| {
            let left = scope.spawn(|| run_side(database, Side::Left, &barrier));
            let right = scope.spawn(|| run_side(database, Side::Right, &barrier));
            (left.join().unwrap(), right.join().unwrap())
        });
        assert!(
            left_errors.is_empty() && right_errors.is_empty(),
            "flushes failed on {}:\nleft: {left_errors:#?}\nright: {right_errors:#?}",
            database.backend()
        );

        let stored = Tally::query()
            .order_by(tally::id.asc())
            .load(&mut conn)
            .unwrap();
        assert_eq!(stored, expected_rows());
    });
}
