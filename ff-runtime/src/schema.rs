//! The schema model: tables, columns, indexes, unique and check constraints, foreign keys.
//!
//! `#[derive(Entity)]` emits one [`TableDef`] per entity as a `const` (borrowed data), and the
//! DDL renderer and the migration engine read the same types (owned data, through serde).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A name or SQL fragment, borrowed when emitted by the derive, owned when read from a file.
pub type Text = Cow<'static, str>;

/// A list, borrowed when emitted by the derive, owned when read from a file.
pub type List<T> = Cow<'static, [T]>;

/// A table as an entity declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDef {
    /// The table name.
    pub name: Text,
    /// The columns, in declaration order.
    pub columns: List<ColumnDef>,
    /// Non-unique and unique indexes.
    #[serde(default)]
    pub indexes: List<IndexDef>,
    /// Unique constraints.
    #[serde(default)]
    pub uniques: List<UniqueDef>,
    /// Check constraints.
    #[serde(default)]
    pub checks: List<CheckDef>,
    /// Foreign keys to other tables.
    #[serde(default)]
    pub foreign_keys: List<ForeignKeyDef>,
    /// The name the table had before, declared with `renamed_from`: the migration engine
    /// renames it instead of dropping it. Not kept in migration snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Text>,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// The column name.
    pub name: Text,
    /// The portable column type.
    pub sql_type: ColumnType,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The default used by the database when an INSERT names no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
    /// Whether the column is the primary key.
    #[serde(default)]
    pub primary_key: bool,
    /// Whether the database generates the value (integer primary keys).
    #[serde(default)]
    pub auto_increment: bool,
    /// The name the column had before, declared with `renamed_from`: the migration engine
    /// renames it instead of dropping it. Not kept in migration snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Text>,
}

impl ColumnDef {
    /// A column without default that is not a key.
    pub fn new(name: impl Into<Text>, sql_type: ColumnType, nullable: bool) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            sql_type,
            nullable,
            default: None,
            primary_key: false,
            auto_increment: false,
            renamed_from: None,
        }
    }
}

/// A portable column type, rendered per dialect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInt,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    /// Boolean.
    Boolean,
    /// Unbounded text.
    Text,
    /// Text with a maximum length in characters.
    Varchar(u32),
    /// Bytes.
    Binary,
    /// Calendar date.
    Date,
    /// Time of day with microseconds.
    Time,
    /// Date and time without zone, with microseconds.
    Timestamp,
    /// Instant in UTC, with microseconds.
    TimestampTz,
    /// UUID.
    Uuid,
    /// JSON document.
    Json,
    /// Exact decimal number with precision and scale.
    Decimal {
        /// Total digits.
        precision: u8,
        /// Digits after the point.
        scale: u8,
    },
    /// A type written by the user, used as is on every dialect.
    Custom(Text),
}

impl ColumnType {
    /// The type with a maximum length applied: text becomes `VARCHAR(length)`.
    pub const fn with_length(self, length: u32) -> ColumnType {
        if matches!(self, ColumnType::Text | ColumnType::Varchar(_)) {
            // Nothing to drop in these variants; `forget` tells const evaluation so.
            std::mem::forget(self);
            ColumnType::Varchar(length)
        } else {
            self
        }
    }

    /// The type with a precision and scale applied (decimals only).
    pub const fn with_precision(self, precision: u8, scale: u8) -> ColumnType {
        if matches!(self, ColumnType::Decimal { .. }) {
            std::mem::forget(self);
            ColumnType::Decimal { precision, scale }
        } else {
            self
        }
    }
}

/// A column default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultValue {
    /// A boolean literal.
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal.
    Text(Text),
    /// The current date and time when the row is inserted.
    CurrentTimestamp,
}

/// An index over one or more columns, over every row or, when it has a predicate, over the
/// rows it selects (a partial index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDef {
    /// The index name.
    pub name: Text,
    /// The indexed columns, in order.
    pub columns: List<Text>,
    /// Whether two indexed rows may not hold the same values: a unique partial index
    /// (`unique(email, where = "…")`). A unique index over every row is a [`UniqueDef`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// The SQL condition of the rows the index covers (`WHERE …`), written by the entity's
    /// author; `None` for an index over every row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Text>,
}

impl IndexDef {
    /// A non-unique index over every row.
    pub fn new(name: impl Into<Text>, columns: Vec<Text>) -> IndexDef {
        IndexDef {
            name: name.into(),
            columns: columns.into(),
            unique: false,
            predicate: None,
        }
    }
}

/// A unique constraint over one or more columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueDef {
    /// The constraint name.
    pub name: Text,
    /// The columns that are unique together.
    pub columns: List<Text>,
}

/// A check constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDef {
    /// The constraint name.
    pub name: Text,
    /// The SQL boolean expression, written by the entity's author.
    pub expression: Text,
}

/// A foreign key from columns of this table to the key of another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKeyDef {
    /// The constraint name.
    pub name: Text,
    /// The referencing columns of this table.
    pub columns: List<Text>,
    /// The referenced table.
    pub referenced_table: Text,
    /// The referenced columns.
    pub referenced_columns: List<Text>,
    /// What happens to this row when the referenced row is deleted.
    pub on_delete: ReferentialAction,
    /// What happens to this row when the referenced key changes.
    pub on_update: ReferentialAction,
}

/// The action of a foreign key on delete or update of the referenced row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferentialAction {
    /// Refuse the change while rows refer to it (checked at the end of the statement).
    NoAction,
    /// Refuse the change while rows refer to it (checked at once).
    Restrict,
    /// Delete or update the referring rows too.
    Cascade,
    /// Set the referring columns to NULL.
    SetNull,
    /// Set the referring columns to their default.
    SetDefault,
}

impl ReferentialAction {
    /// The SQL keywords of the action.
    pub fn as_sql(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

impl TableDef {
    /// A table of these columns, without indexes or constraints.
    pub fn new(name: impl Into<Text>, columns: Vec<ColumnDef>) -> TableDef {
        TableDef {
            name: name.into(),
            columns: columns.into(),
            indexes: List::Borrowed(&[]),
            uniques: List::Borrowed(&[]),
            checks: List::Borrowed(&[]),
            foreign_keys: List::Borrowed(&[]),
            renamed_from: None,
        }
    }

    /// The primary key column.
    pub fn primary_key(&self) -> Option<&ColumnDef> {
        self.columns.iter().find(|column| column.primary_key)
    }

    /// The tables this one refers to through foreign keys, itself excluded.
    pub fn referenced_tables(&self) -> impl Iterator<Item = &str> {
        self.foreign_keys
            .iter()
            .map(|fk| fk.referenced_table.as_ref())
            .filter(move |table| *table != self.name)
    }
}
