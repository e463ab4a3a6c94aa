//! Relationships between entities: foreign keys declared with `#[ff(belongs_to = Parent)]`,
//! and loading related rows for a whole list in one query per relation level.
//!
//! `#[derive(Entity)]` generates the accessors (`product.category(&mut conn)`,
//! `category.products(&mut conn)`, `Product::load_category(&mut conn, &products)`…); the
//! functions here are what they call, and can be called directly. [`Eager`] loads relations
//! under rows already loaded, to any depth, into an owned tree.

mod key_list;
mod nested;

pub use key_list::{KeyList, key_list};
pub use nested::{Eager, EagerTree, Paired};

use std::collections::{HashMap, HashSet};

use diesel::QueryResult;
use diesel::query_builder::{AstPass, QueryFragment};

use crate::criteria::{Condition, Criteria};
use crate::dialect::Backend;
use crate::entity::Entity;
use crate::error::{Result, not_found, query_error};
use crate::session::Session;

/// A field type that can hold the key of entity with key type `K`: `K` itself, or
/// `Option<K>` for an optional relation.
#[diagnostic::on_unimplemented(
    message = "a foreign key of type `{Self}` cannot refer to a key of type `{K}`",
    label = "this field refers to a key of type `{K}`",
    note = "give the field the referenced entity's key type, `{K}` (or `Option<{K}>` for an optional relation)"
)]
pub trait ForeignKeyOf<K> {
    /// The referenced key, if the field holds one.
    fn referenced_key(&self) -> Option<&K>;
    /// The field value that refers to `key`.
    fn from_key(key: K) -> Self;
}

impl<K> ForeignKeyOf<K> for K {
    fn referenced_key(&self) -> Option<&K> {
        Some(self)
    }
    fn from_key(key: K) -> Self {
        key
    }
}

impl<K> ForeignKeyOf<K> for Option<K> {
    fn referenced_key(&self) -> Option<&K> {
        self.as_ref()
    }
    fn from_key(key: K) -> Self {
        Some(key)
    }
}

/// An entity with a foreign key to `P`: generated for the first field marked
/// `#[ff(belongs_to = P)]`. One-to-many, one-to-one and many-to-many relations declared on
/// `P` go through it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no foreign key to `{P}`",
    label = "this relation needs a foreign key from `{Self}` to `{P}`",
    note = "add a field to `{Self}` marked `#[ff(belongs_to = {P})]` holding the key of `{P}`"
)]
pub trait BelongsTo<P: Entity>: Entity {
    /// The foreign key column.
    const FOREIGN_KEY: &'static str;

    /// The key of the parent this row refers to (none for a NULL foreign key).
    fn parent_key(&self) -> Option<&P::Key>;

    /// Makes this row refer to `parent`.
    fn set_parent(&mut self, parent: &P);

    /// The rows referring to one of these parent keys. Used by generated code.
    #[doc(hidden)]
    fn __children_condition<'a>(keys: &[P::Key]) -> Criteria<'a, Self::Table>;
}

/// The parent of each child, in the children's order: one query for the whole list.
///
/// `parent_key` picks the foreign key (the generated `Child::load_<relation>` passes it).
pub fn load_parents<'q, C, P, S>(
    conn: &'q mut S,
    children: &'q [C],
    parent_key: impl Fn(&C) -> Option<&P::Key> + Send + Sync + 'q,
) -> S::Answer<'q, Vec<Option<P>>>
where
    C: Sync,
    P: Entity + Clone,
    S: Session,
{
    S::answer(parents_of(conn, children, parent_key))
}

async fn parents_of<C, P, S>(
    conn: &mut S,
    children: &[C],
    parent_key: impl Fn(&C) -> Option<&P::Key>,
) -> Result<Vec<Option<P>>>
where
    P: Entity + Clone,
    S: Session,
{
    let keys = distinct(children.iter().filter_map(&parent_key));
    let parents = find_keys::<P, S>(conn, &keys).await?;
    let by_key: HashMap<&P::Key, &P> = parents.iter().map(|p| (p.key(), p)).collect();
    Ok(children
        .iter()
        .map(|child| parent_key(child).and_then(|key| by_key.get(key).map(|p| (*p).clone())))
        .collect())
}

/// The children of each parent, in the parents' order: one query for the whole list.
pub fn load_children<'q, P, C, S>(conn: &'q mut S, parents: &'q [P]) -> S::Answer<'q, Vec<Vec<C>>>
where
    P: Entity,
    C: BelongsTo<P>,
    S: Session,
{
    S::answer(children_each(conn, parents))
}

/// The children of each parent, in the parents' order.
async fn children_each<P, C, S>(conn: &mut S, parents: &[P]) -> Result<Vec<Vec<C>>>
where
    P: Entity,
    C: BelongsTo<P>,
    S: Session,
{
    let keys = distinct(parents.iter().map(Entity::key));
    let children = children_of::<P, C, S>(conn, &keys).await?;
    Ok(group_by_parent(parents, children, |child| {
        child.parent_key().cloned()
    }))
}

/// The entities linked to each parent through the join entity `L`, in the parents' order:
/// one query for the links and one for the linked entities.
pub fn load_linked<'q, P, L, T, S>(conn: &'q mut S, parents: &'q [P]) -> S::Answer<'q, Vec<Vec<T>>>
where
    P: Entity,
    L: BelongsTo<P> + BelongsTo<T>,
    T: Entity + Clone,
    S: Session,
{
    S::answer(async move {
        let keys = distinct(parents.iter().map(Entity::key));
        let links = children_of::<P, L, S>(conn, &keys).await?;
        let targets =
            parents_of::<L, T, S>(conn, &links, |link| <L as BelongsTo<T>>::parent_key(link))
                .await?;
        let pairs: Vec<(P::Key, T)> = links
            .iter()
            .zip(targets)
            .filter_map(|(link, target)| {
                Some((<L as BelongsTo<P>>::parent_key(link)?.clone(), target?))
            })
            .collect();
        Ok(
            group_by_parent(parents, pairs, |(parent, _)| Some(parent.clone()))
                .into_iter()
                .map(|group| group.into_iter().map(|(_, target)| target).collect())
                .collect(),
        )
    })
}

/// The parent with this key, if any: what a generated `belongs_to` accessor runs. Not public
/// API.
#[doc(hidden)]
pub fn parent<'q, P: Entity, S: Session>(
    conn: &'q mut S,
    key: Option<&'q P::Key>,
) -> S::Answer<'q, Option<P>> {
    S::answer(async move {
        match key {
            Some(key) => crate::rows::find::<P, S>(conn, key)
                .await
                .map_err(query_error::<P>),
            None => Ok(None),
        }
    })
}

/// The parent with this key, [`Error::NotFound`](crate::Error::NotFound) when it is missing:
/// what a generated accessor of a required `belongs_to` runs. Not public API.
#[doc(hidden)]
pub fn required_parent<'q, P: Entity, S: Session>(
    conn: &'q mut S,
    key: Option<&'q P::Key>,
) -> S::Answer<'q, P> {
    S::answer(async move {
        let key = key.ok_or_else(not_found::<P>)?;
        crate::rows::find::<P, S>(conn, key)
            .await
            .map_err(query_error::<P>)?
            .ok_or_else(not_found::<P>)
    })
}

/// The children of one parent: what a generated `has_many` accessor runs. Not public API.
#[doc(hidden)]
pub fn children<'q, P, C, S>(conn: &'q mut S, parent: &'q P) -> S::Answer<'q, Vec<C>>
where
    P: Entity,
    C: BelongsTo<P>,
    S: Session,
{
    S::answer(children_of::<P, C, S>(
        conn,
        std::slice::from_ref(parent.key()),
    ))
}

/// The first child of each parent: what a generated `has_one` loader runs. Not public API.
#[doc(hidden)]
pub fn load_child<'q, P, C, S>(conn: &'q mut S, parents: &'q [P]) -> S::Answer<'q, Vec<Option<C>>>
where
    P: Entity,
    C: BelongsTo<P>,
    S: Session,
{
    S::answer(async move {
        let children = children_each::<P, C, S>(conn, parents).await?;
        Ok(children
            .into_iter()
            .map(|rows| rows.into_iter().next())
            .collect())
    })
}

/// The child of one parent, if any: what a generated `has_one` accessor runs. Not public API.
#[doc(hidden)]
pub fn child<'q, P, C, S>(conn: &'q mut S, parent: &'q P) -> S::Answer<'q, Option<C>>
where
    P: Entity,
    C: BelongsTo<P>,
    S: Session,
{
    S::answer(async move {
        let keys = std::slice::from_ref(parent.key());
        Ok(children_of::<P, C, S>(conn, keys).await?.into_iter().next())
    })
}

/// The entities linked to one parent through `L`: what a generated `many_to_many` accessor
/// runs. Not public API.
#[doc(hidden)]
pub fn linked<'q, P, L, T, S>(conn: &'q mut S, parent: &'q P) -> S::Answer<'q, Vec<T>>
where
    P: Entity,
    L: BelongsTo<P> + BelongsTo<T>,
    T: Entity + Clone,
    S: Session,
{
    S::answer(async move {
        let keys = std::slice::from_ref(parent.key());
        let links = children_of::<P, L, S>(conn, keys).await?;
        let targets =
            parents_of::<L, T, S>(conn, &links, |link| <L as BelongsTo<T>>::parent_key(link))
                .await?;
        Ok(targets.into_iter().flatten().collect())
    })
}

/// Links `parent` to `target` by inserting a join row `L` (its other columns from
/// `L::default()`), unless they are linked already. Returns whether a row was inserted.
pub fn link<'q, P, L, T, S>(conn: &'q mut S, parent: &'q P, target: &'q T) -> S::Answer<'q, bool>
where
    P: Entity,
    T: Entity,
    L: BelongsTo<P> + BelongsTo<T> + Default,
    S: Session,
{
    S::answer(async move {
        let linked = link_condition::<P, L, T>(parent, target);
        if !L::query()
            .filter(linked)
            .limit(1)
            .rows(conn)
            .await?
            .is_empty()
        {
            return Ok(false);
        }
        let mut row = L::default();
        <L as BelongsTo<P>>::set_parent(&mut row, parent);
        <L as BelongsTo<T>>::set_parent(&mut row, target);
        row.check_writable(conn.backend())?;
        crate::rows::insert(conn, &row)
            .await
            .map_err(query_error::<L>)?;
        Ok(true)
    })
}

/// Removes the join rows `L` linking `parent` to `target`; returns how many there were.
pub fn unlink<'q, P, L, T, S>(conn: &'q mut S, parent: &'q P, target: &'q T) -> S::Answer<'q, usize>
where
    P: Entity,
    T: Entity,
    L: BelongsTo<P> + BelongsTo<T>,
    S: Session,
{
    L::query()
        .filter(link_condition::<P, L, T>(parent, target))
        .delete(conn)
}

/// The rows of `L` linking `parent` to `target`.
fn link_condition<'a, P, L, T>(parent: &P, target: &T) -> Criteria<'a, L::Table>
where
    P: Entity,
    T: Entity,
    L: BelongsTo<P> + BelongsTo<T>,
{
    <L as BelongsTo<P>>::__children_condition(std::slice::from_ref(parent.key())).and(
        <L as BelongsTo<T>>::__children_condition(std::slice::from_ref(target.key())),
    )
}

/// The children of these parent keys, in as few queries as the bind-parameter limit allows.
pub(crate) async fn children_of<P, C, S>(conn: &mut S, keys: &[P::Key]) -> Result<Vec<C>>
where
    P: Entity,
    C: BelongsTo<P>,
    S: Session,
{
    let mut rows = Vec::new();
    for chunk in keys.chunks(keys_per_query(conn.backend())) {
        let criteria = C::__children_condition(chunk);
        rows.extend(C::query().filter(criteria).rows(conn).await?);
    }
    Ok(rows)
}

/// The rows with these keys, in as few queries as the bind-parameter limit allows.
pub(crate) async fn find_keys<E: Entity, S: Session>(
    conn: &mut S,
    keys: &[E::Key],
) -> Result<Vec<E>> {
    let mut rows = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(keys_per_query(conn.backend())) {
        rows.extend(
            crate::rows::find_keys::<E, S>(conn, chunk)
                .await
                .map_err(query_error::<E>)?,
        );
    }
    Ok(rows)
}

/// How many keys one lookup binds at most on `backend`: the largest power of two under the
/// bind-parameter limit, so that a list padded to a power of two still fits.
pub(crate) fn keys_per_query(backend: Backend) -> usize {
    let limit = backend.dialect().max_bind_params().max(1);
    1 << limit.ilog2()
}

fn distinct<'k, K: std::hash::Hash + Eq + Clone + 'k>(keys: impl Iterator<Item = &'k K>) -> Vec<K> {
    let mut seen = HashSet::new();
    keys.filter(|key| seen.insert(*key)).cloned().collect()
}

/// Children grouped under their parent, in the parents' order.
fn group_by_parent<P: Entity, C>(
    parents: &[P],
    children: Vec<C>,
    parent_key: impl Fn(&C) -> Option<P::Key>,
) -> Vec<Vec<C>> {
    let index: HashMap<&P::Key, usize> = parents
        .iter()
        .enumerate()
        .map(|(i, parent)| (parent.key(), i))
        .collect();
    let mut grouped: Vec<Vec<C>> = parents.iter().map(|_| Vec::new()).collect();
    for child in children {
        if let Some(&i) = parent_key(&child).as_ref().and_then(|key| index.get(key)) {
            grouped[i].push(child);
        }
    }
    grouped
}

/// `outer.column IN (SELECT inner.column FROM inner WHERE condition)`: a semi-join along a
/// foreign key, which keeps each outer row once however many inner rows match.
pub(crate) struct InSubquery<'a, U> {
    pub outer_table: &'static str,
    pub outer_column: &'static str,
    pub inner_table: &'static str,
    pub inner_column: &'static str,
    pub condition: Option<Condition<'a, U>>,
}

impl<'a, U, DB> QueryFragment<DB> for InSubquery<'a, U>
where
    DB: diesel::backend::Backend,
    Condition<'a, U>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_identifier(self.outer_table)?;
        out.push_sql(".");
        out.push_identifier(self.outer_column)?;
        out.push_sql(" IN (SELECT ");
        out.push_identifier(self.inner_table)?;
        out.push_sql(".");
        out.push_identifier(self.inner_column)?;
        out.push_sql(" FROM ");
        out.push_identifier(self.inner_table)?;
        out.push_sql(" WHERE ");
        out.push_identifier(self.inner_table)?;
        out.push_sql(".");
        out.push_identifier(self.inner_column)?;
        out.push_sql(" IS NOT NULL");
        if let Some(condition) = &self.condition {
            out.push_sql(" AND (");
            condition.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(")");
        Ok(())
    }
}

/// Rows of `C` whose parent `P` matches `condition`.
pub(crate) fn with_parent_matching<'a, C, P>(
    condition: Criteria<'a, P::Table>,
) -> Criteria<'a, C::Table>
where
    C: BelongsTo<P>,
    P: Entity,
{
    Criteria::from_fragment(InSubquery {
        outer_table: C::TABLE_NAME,
        outer_column: C::FOREIGN_KEY,
        inner_table: P::TABLE_NAME,
        inner_column: P::KEY_COLUMN,
        condition: condition.into_condition(),
    })
}

/// Rows of `P` with at least one child `C` matching `condition`.
pub(crate) fn with_child_matching<'a, P, C>(
    condition: Criteria<'a, C::Table>,
) -> Criteria<'a, P::Table>
where
    C: BelongsTo<P>,
    P: Entity,
{
    Criteria::from_fragment(InSubquery {
        outer_table: P::TABLE_NAME,
        outer_column: P::KEY_COLUMN,
        inner_table: C::TABLE_NAME,
        inner_column: C::FOREIGN_KEY,
        condition: condition.into_condition(),
    })
}
