//! Sets of an entity's columns, by position in its metadata.

use crate::entity::Entity;

/// Which columns of a row a statement writes: bit `i` stands for column `i`.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ColumnSet(u64);

impl ColumnSet {
    /// No column.
    pub const EMPTY: ColumnSet = ColumnSet(0);

    /// This set and column `index`.
    #[must_use]
    pub const fn with(self, index: usize) -> ColumnSet {
        ColumnSet(self.0 | 1 << index)
    }

    /// This set and column `index` when `yes`.
    #[must_use]
    pub const fn with_if(self, index: usize, yes: bool) -> ColumnSet {
        if yes { self.with(index) } else { self }
    }

    /// Whether the set holds no column.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the set holds column `index`.
    pub const fn contains(self, index: usize) -> bool {
        self.0 & (1 << index) != 0
    }

    /// Every column of `E`.
    pub fn all<E: Entity>() -> ColumnSet {
        ColumnSet(u64::MAX >> (64 - E::META.columns.len()))
    }

    /// This set without column `index`.
    #[must_use]
    pub const fn without(self, index: usize) -> ColumnSet {
        ColumnSet(self.0 & !(1 << index))
    }
}

/// The index of the key column when the database generates its values.
pub(crate) fn generated_key<E: Entity>() -> Option<usize> {
    E::META
        .columns
        .iter()
        .position(|column| column.primary_key && column.auto_increment)
}
