//! Every supported column type round-trips exactly on every backend, edge values included.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use ff_runtime::prelude::*;
use ff_runtime::{Backend, Repository};
use ff_tests::domain::{AllTypes, OrderStatus, all_types};
use ff_tests::each_backend;
use std::str::FromStr;

fn timestamp(micros: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 2, 29)
        .unwrap()
        .and_hms_micro_opt(12, 34, 56, micros)
        .unwrap()
}

fn instant() -> DateTime<Utc> {
    Utc.from_utc_datetime(&timestamp(987_654))
}

fn nested_json() -> serde_json::Value {
    serde_json::json!({
        "name": "Lampe de chevet — 日本語 🎉",
        "dimensions": {"h": 42, "w": 17.5, "unit": "cm"},
        "tags": ["a", "b", null, true, false],
        "stock": 9007199254740991_i64,
        "empty": {}
    })
}

fn row(id: i32) -> AllTypes {
    AllTypes {
        id,
        small: 0,
        int: 0,
        big: 0,
        float: 0.0,
        double: 0.0,
        flag: false,
        text: String::new(),
        bytes: Vec::new(),
        date: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        time: NaiveTime::from_hms_opt(0, 0, 0).unwrap(),
        timestamp: timestamp(0),
        instant: instant(),
        uuid: uuid::Uuid::nil(),
        json: serde_json::json!({}),
        decimal: BigDecimal::from(0),
        status: OrderStatus::Pending,
        maybe_int: None,
        maybe_double: None,
        maybe_text: None,
        maybe_bytes: None,
        maybe_timestamp: None,
        maybe_instant: None,
        maybe_uuid: None,
        maybe_json: None,
        maybe_decimal: None,
        maybe_status: None,
    }
}

/// The widest decimal each backend keeps exactly in a `DECIMAL(30, 10)` column: all 30 digits
/// on PostgreSQL and MySQL, 15 significant digits on SQLite.
fn widest_decimal(backend: Backend) -> BigDecimal {
    let digits = match backend {
        Backend::Sqlite => "-12345.6789012345",
        _ => "-12345678901234567890.0123456789",
    };
    BigDecimal::from_str(digits).unwrap()
}

/// Rows covering the edges of every type, plus values only some backends can store.
fn edge_rows(backend: Backend) -> Vec<AllTypes> {
    let mut rows = vec![
        AllTypes {
            small: i16::MIN,
            int: i32::MIN,
            big: i64::MIN,
            float: f32::MIN,
            double: f64::MIN,
            flag: true,
            text: "héllo wörld — 日本語 🎉 \"quoted\" 'single' \\ back\nslash".into(),
            bytes: (0..=255).collect(),
            date: NaiveDate::from_ymd_opt(1000, 1, 1).unwrap(),
            time: NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(),
            timestamp: timestamp(123_456),
            uuid: uuid::Uuid::new_v4(),
            json: nested_json(),
            decimal: widest_decimal(backend),
            status: OrderStatus::Shipped,
            ..row(0)
        },
        AllTypes {
            small: i16::MAX,
            int: i32::MAX,
            big: i64::MAX,
            float: f32::MAX,
            double: f64::MAX,
            text: "x".repeat(10_000),
            date: NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            decimal: BigDecimal::from_str("0.0000000001").unwrap(),
            status: OrderStatus::Paid,
            maybe_int: Some(-1),
            maybe_double: Some(f64::MIN_POSITIVE),
            maybe_text: Some(String::new()),
            maybe_bytes: Some(Vec::new()),
            maybe_timestamp: Some(timestamp(1)),
            maybe_instant: Some(instant()),
            maybe_uuid: Some(uuid::Uuid::new_v4()),
            maybe_json: Some(serde_json::json!([1, "two", {"three": 3.5}])),
            maybe_decimal: Some(BigDecimal::from_str("99.5").unwrap()),
            maybe_status: Some(OrderStatus::Pending),
            ..row(0)
        },
        AllTypes {
            float: f32::MIN_POSITIVE,
            double: f64::EPSILON,
            maybe_double: Some(1.0 / 3.0),
            ..row(0)
        },
    ];
    // MySQL has no infinities; SQLite stores them but turns NaN into NULL; PostgreSQL has both.
    if backend != Backend::Mysql {
        rows.push(AllTypes {
            float: f32::INFINITY,
            double: f64::NEG_INFINITY,
            maybe_double: Some(f64::INFINITY),
            ..row(0)
        });
    }
    rows
}

#[test]
fn every_type_round_trips_through_insert_and_find() {
    each_backend(|conn| {
        conn.create_tables(&[AllTypes::META]).unwrap();
        let backend = conn.backend();
        let mut repo = Repository::<AllTypes>::new(conn);
        for original in edge_rows(backend) {
            let stored = repo.insert(&original).unwrap();
            assert!(stored.id > 0);
            let expected = AllTypes {
                id: stored.id,
                ..original
            };
            assert_eq!(
                stored, expected,
                "insert returned a different row on {backend}"
            );
            let found = repo.find(&stored.id).unwrap().expect("row just inserted");
            assert_eq!(
                found, expected,
                "find returned a different row on {backend}"
            );
        }
    });
}

#[test]
fn every_type_round_trips_through_insert_many_and_update() {
    each_backend(|conn| {
        conn.create_tables(&[AllTypes::META]).unwrap();
        let backend = conn.backend();
        let mut repo = Repository::<AllTypes>::new(conn);
        let rows = edge_rows(backend);
        assert_eq!(repo.insert_many(&rows).unwrap(), rows.len());
        let mut loaded = repo
            .find_by(Criteria::all(), all_types::id.asc(), None, None)
            .unwrap();
        assert_eq!(loaded.len(), rows.len());
        for (found, original) in loaded.iter().zip(&rows) {
            assert_eq!(
                *found,
                AllTypes {
                    id: found.id,
                    ..original.clone()
                }
            );
        }
        // Updating swaps the values of the first two rows, nulls included.
        let (first, second) = (loaded[0].clone(), loaded[1].clone());
        loaded[0] = AllTypes {
            id: first.id,
            ..second.clone()
        };
        loaded[1] = AllTypes {
            id: second.id,
            ..first.clone()
        };
        repo.update(&loaded[0]).unwrap();
        repo.update(&loaded[1]).unwrap();
        assert_eq!(repo.find(&first.id).unwrap().unwrap(), loaded[0]);
        assert_eq!(repo.find(&second.id).unwrap().unwrap(), loaded[1]);
    });
}

#[test]
fn nan_round_trips_on_postgres() {
    each_backend(|conn| {
        if conn.backend() != Backend::Postgres {
            return;
        }
        conn.create_tables(&[AllTypes::META]).unwrap();
        let mut repo = Repository::<AllTypes>::new(conn);
        let stored = repo
            .insert(&AllTypes {
                double: f64::NAN,
                float: f32::NAN,
                ..row(0)
            })
            .unwrap();
        let found = repo.find(&stored.id).unwrap().unwrap();
        assert!(found.double.is_nan() && found.float.is_nan());
    });
}

#[test]
fn portable_types_filter_with_bind_in_hand_written_criteria() {
    each_backend(|conn| {
        conn.create_tables(&[AllTypes::META]).unwrap();
        let backend = conn.backend();
        let mut repo = Repository::<AllTypes>::new(conn);
        let rows = edge_rows(backend);
        repo.insert_many(&rows).unwrap();
        let wanted = rows[0].uuid;
        let found = repo
            .find_by(
                all_types::uuid.eq(ff_runtime::bind(wanted)),
                OrderBy::none(),
                None,
                None,
            )
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].uuid, wanted);
        let paid = AllTypes::find_by_status(conn, &OrderStatus::Paid).unwrap();
        assert_eq!(paid.len(), 1);
        let null_uuid = AllTypes::find_by_maybe_uuid(conn, None).unwrap();
        assert_eq!(null_uuid.len(), rows.len() - 1);
    });
}

#[test]
fn sqlite_refuses_a_decimal_it_would_round_and_the_servers_keep_it() {
    each_backend(|conn| {
        conn.create_tables(&[AllTypes::META]).unwrap();
        let backend = conn.backend();
        let wide = AllTypes {
            decimal: widest_decimal(Backend::Postgres),
            ..row(0)
        };
        let mut repo = Repository::<AllTypes>::new(conn);
        match (backend, repo.insert(&wide)) {
            (Backend::Sqlite, Err(ff_runtime::Error::OutOfRange { column, .. })) => {
                assert_eq!(column, "decimal")
            }
            (Backend::Sqlite, other) => panic!("SQLite stored 30 digits: {other:?}"),
            (_, stored) => assert_eq!(stored.unwrap().decimal, wide.decimal),
        }
    });
}
