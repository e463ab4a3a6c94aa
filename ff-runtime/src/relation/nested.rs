//! Nested eager loading: a relation loaded under rows already loaded, to any depth, one query
//! per level, into an owned tree such as `Vec<(User, Vec<(Post, Vec<Comment>)>)>`.

use std::collections::HashMap;
use std::hash::Hash;

use super::{BelongsTo, children_of, find_keys};
use crate::entity::Entity;
use crate::error::Result;
use crate::session::Session;

/// Loaded rows, alone or nested under their parents, whose innermost rows (the leaves) can
/// have a relation loaded under them: one query per level whatever the number of rows, each
/// leaf moved into the tree, never cloned.
///
/// Implemented for every entity (its own leaf), and for `Vec`, `Option` and `(parent, _)`
/// around such trees, so the result of one level is the input of the next:
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// #[ff(table = "users")]
/// pub struct User { pub id: i32, pub name: String }
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Post { pub id: i32, #[ff(belongs_to = User)] pub user_id: i32, pub title: String }
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Comment { pub id: i32, #[ff(belongs_to = Post)] pub post_id: i32, pub body: String }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[User::META, Post::META, Comment::META])?;
/// let ada = Repository::<User>::new(&mut conn).insert(&User { id: 0, name: "Ada".into() })?;
/// let post = Repository::<Post>::new(&mut conn)
///     .insert(&Post { id: 0, user_id: ada.id, title: "Engines".into() })?;
/// Repository::<Comment>::new(&mut conn)
///     .insert(&Comment { id: 0, post_id: post.id, body: "Brilliant".into() })?;
///
/// let users: Vec<(User, Vec<(Post, Vec<Comment>)>)> = User::query()
///     .load(&mut conn)?
///     .with_children::<Post>(&mut conn)?       // one query for all the posts
///     .with_children::<Comment>(&mut conn)?;   // one query for all their comments
/// let (user, posts) = &users[0];
/// assert_eq!((user.name.as_str(), posts[0].1[0].body.as_str()), ("Ada", "Brilliant"));
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub trait EagerTree: Sized {
    /// The innermost rows, under which the next relation is loaded.
    type Leaf;
    /// The same tree with each leaf replaced by a `T`.
    type Replaced<T>;

    /// Calls `visit` on each leaf, in order.
    fn for_each_leaf<'a>(&'a self, visit: &mut impl FnMut(&'a Self::Leaf));

    /// Replaces each leaf, in order, by what `replace` makes of it.
    fn map_leaves<T>(self, replace: &mut impl FnMut(Self::Leaf) -> T) -> Self::Replaced<T>;
}

/// The loading methods of an [`EagerTree`], on a connection of type `S`: [`Connection`]
/// answers with the tree, an `AsyncConnection` with a future of it (see [`Session`]). In the
/// prelude, for every tree and connection.
///
/// [`Connection`]: crate::Connection
pub trait Eager<S: Session>: EagerTree {
    /// Each leaf with its children `C` (`has_many`): one query.
    fn with_children<'q, C>(self, conn: &'q mut S) -> S::Answer<'q, Paired<Self, Vec<C>>>
    where
        Self: Send + Sync + 'q,
        Self::Leaf: Entity,
        C: BelongsTo<Self::Leaf> + Clone,
        Paired<Self, Vec<C>>: Send,
    {
        S::answer(async move {
            let mut groups = children_by_leaf::<Self, C, S>(&self, conn).await?;
            Ok(self.map_leaves(&mut |leaf| {
                let children = groups.take(leaf.key()).unwrap_or_default();
                (leaf, children)
            }))
        })
    }

    /// Each leaf with its first child `C`, if any (`has_one`): one query.
    fn with_child<'q, C>(self, conn: &'q mut S) -> S::Answer<'q, Paired<Self, Option<C>>>
    where
        Self: Send + Sync + 'q,
        Self::Leaf: Entity,
        C: BelongsTo<Self::Leaf> + Clone,
        Paired<Self, Option<C>>: Send,
    {
        S::answer(async move {
            let mut groups = children_by_leaf::<Self, C, S>(&self, conn).await?;
            Ok(self.map_leaves(&mut |leaf| {
                let child = groups.take(leaf.key()).and_then(|c| c.into_iter().next());
                (leaf, child)
            }))
        })
    }

    /// Each leaf with the parent `P` its foreign key refers to (`belongs_to`; `None` for a
    /// NULL key): one query. A parent shared by several leaves is cloned for each.
    fn with_parent<'q, P>(self, conn: &'q mut S) -> S::Answer<'q, Paired<Self, Option<P>>>
    where
        Self: Send + Sync + 'q,
        Self::Leaf: BelongsTo<P>,
        P: Entity + Clone,
        Paired<Self, Option<P>>: Send,
    {
        self.with_parent_by::<P>(conn, |leaf| leaf.parent_key())
    }

    /// Each leaf with the parent `P` whose key `parent_key` reads from it: [`Eager::with_parent`]
    /// through another foreign key than the first one to `P`.
    fn with_parent_by<'q, P>(
        self,
        conn: &'q mut S,
        parent_key: impl Fn(&Self::Leaf) -> Option<&P::Key> + Send + 'q,
    ) -> S::Answer<'q, Paired<Self, Option<P>>>
    where
        Self: Send + Sync + 'q,
        P: Entity + Clone,
        Paired<Self, Option<P>>: Send,
    {
        S::answer(async move {
            let distinct = LeafKeys::of(&self, &parent_key).distinct;
            let parents = find_keys::<P, S>(conn, &distinct).await?;
            let keys = LeafKeys::of(&self, &parent_key);
            let mut found = keys.values(parents.into_iter().map(|p| (p.key().clone(), p)));
            Ok(self.map_leaves(&mut |leaf| {
                let parent = parent_key(&leaf).and_then(|key| found.take(key));
                (leaf, parent)
            }))
        })
    }

    /// Each leaf with the entities `T` linked to it through the join entity `L`
    /// (`many_to_many`): one query for the links, one for the linked entities.
    fn with_linked<'q, L, T>(self, conn: &'q mut S) -> S::Answer<'q, Paired<Self, Vec<T>>>
    where
        Self: Send + Sync + 'q,
        Self::Leaf: Entity,
        L: BelongsTo<Self::Leaf> + BelongsTo<T>,
        T: Entity + Clone,
        Paired<Self, Vec<T>>: Send,
    {
        S::answer(linked::<Self, L, T, S>(self, conn))
    }
}

impl<T: EagerTree, S: Session> Eager<S> for T {}

/// What [`Eager::with_linked`] answers.
async fn linked<E, L, T, S>(tree: E, conn: &mut S) -> Result<Paired<E, Vec<T>>>
where
    E: EagerTree,
    E::Leaf: Entity,
    L: BelongsTo<E::Leaf> + BelongsTo<T>,
    T: Entity + Clone,
    S: Session,
{
    let distinct = LeafKeys::of(&tree, |leaf| Some(leaf.key())).distinct;
    let links = children_of::<E::Leaf, L, S>(conn, &distinct).await?;
    let keys = LeafKeys::of(&tree, |leaf| Some(leaf.key()));
    let target_keys = LeafKeys::of(&links, |link| <L as BelongsTo<T>>::parent_key(link));
    let targets = find_keys::<T, S>(conn, &target_keys.distinct).await?;
    let targets: HashMap<&T::Key, &T> = targets.iter().map(|t| (t.key(), t)).collect();
    let linked = links.iter().filter_map(|link| {
        let parent = <L as BelongsTo<E::Leaf>>::parent_key(link)?;
        let target = targets.get(<L as BelongsTo<T>>::parent_key(link)?)?;
        Some((parent.clone(), (*target).clone()))
    });
    let mut groups = keys.groups(linked, |(parent, _)| Some(parent.clone()));
    Ok(tree.map_leaves(&mut |leaf| {
        let group = groups.take(leaf.key()).unwrap_or_default();
        (leaf, group.into_iter().map(|(_, target)| target).collect())
    }))
}

/// The tree `S` with each leaf paired with `R`, what a method of [`Eager`] loaded under it:
/// `Paired<Vec<User>, Vec<Post>>` is `Vec<(User, Vec<Post>)>`.
pub type Paired<S, R> = <S as EagerTree>::Replaced<(<S as EagerTree>::Leaf, R)>;

impl<E: Entity> EagerTree for E {
    type Leaf = E;
    type Replaced<T> = T;

    fn for_each_leaf<'a>(&'a self, visit: &mut impl FnMut(&'a E)) {
        visit(self)
    }

    fn map_leaves<T>(self, replace: &mut impl FnMut(E) -> T) -> T {
        replace(self)
    }
}

impl<S: EagerTree> EagerTree for Vec<S> {
    type Leaf = S::Leaf;
    type Replaced<T> = Vec<S::Replaced<T>>;

    fn for_each_leaf<'a>(&'a self, visit: &mut impl FnMut(&'a S::Leaf)) {
        for tree in self {
            tree.for_each_leaf(visit);
        }
    }

    fn map_leaves<T>(self, replace: &mut impl FnMut(S::Leaf) -> T) -> Self::Replaced<T> {
        self.into_iter()
            .map(|tree| tree.map_leaves(replace))
            .collect()
    }
}

impl<S: EagerTree> EagerTree for Option<S> {
    type Leaf = S::Leaf;
    type Replaced<T> = Option<S::Replaced<T>>;

    fn for_each_leaf<'a>(&'a self, visit: &mut impl FnMut(&'a S::Leaf)) {
        if let Some(tree) = self {
            tree.for_each_leaf(visit);
        }
    }

    fn map_leaves<T>(self, replace: &mut impl FnMut(S::Leaf) -> T) -> Self::Replaced<T> {
        self.map(|tree| tree.map_leaves(replace))
    }
}

/// A row with what was loaded under it: the leaves are those of the second half.
impl<P, S: EagerTree> EagerTree for (P, S) {
    type Leaf = S::Leaf;
    type Replaced<T> = (P, S::Replaced<T>);

    fn for_each_leaf<'a>(&'a self, visit: &mut impl FnMut(&'a S::Leaf)) {
        self.1.for_each_leaf(visit)
    }

    fn map_leaves<T>(self, replace: &mut impl FnMut(S::Leaf) -> T) -> Self::Replaced<T> {
        (self.0, self.1.map_leaves(replace))
    }
}

/// The children `C` of a tree's leaves, grouped by leaf key: one query.
async fn children_by_leaf<T, C, S>(
    tree: &T,
    conn: &mut S,
) -> Result<HandOut<<T::Leaf as Entity>::Key, Vec<C>>>
where
    T: EagerTree,
    T::Leaf: Entity,
    C: BelongsTo<T::Leaf>,
    S: Session,
{
    let distinct = LeafKeys::of(tree, |leaf| Some(leaf.key())).distinct;
    let children = children_of::<T::Leaf, C, S>(conn, &distinct).await?;
    let keys = LeafKeys::of(tree, |leaf| Some(leaf.key()));
    Ok(keys.groups(children, |child| child.parent_key().cloned()))
}

/// The keys a tree's leaves refer to: each distinct key once, in the order first met, and how
/// many leaves refer to it.
struct LeafKeys<K> {
    distinct: Vec<K>,
    leaves: HashMap<K, usize>,
}

impl<K: Hash + Eq + Clone> LeafKeys<K> {
    fn of<'a, S: EagerTree>(tree: &'a S, key: impl Fn(&'a S::Leaf) -> Option<&'a K>) -> Self
    where
        K: 'a,
    {
        let mut keys = LeafKeys {
            distinct: Vec::new(),
            leaves: HashMap::new(),
        };
        tree.for_each_leaf(&mut |leaf| {
            if let Some(key) = key(leaf) {
                let count = keys.leaves.entry(key.clone()).or_insert(0);
                if *count == 0 {
                    keys.distinct.push(key.clone());
                }
                *count += 1;
            }
        });
        keys
    }

    /// `rows` grouped by the key each refers to (rows referring to no leaf are dropped).
    fn groups<R>(
        self,
        rows: impl IntoIterator<Item = R>,
        key: impl Fn(&R) -> Option<K>,
    ) -> HandOut<K, Vec<R>> {
        let mut values: HashMap<K, Vec<R>> = HashMap::with_capacity(self.distinct.len());
        for row in rows {
            if let Some(key) = key(&row).filter(|key| self.leaves.contains_key(key)) {
                values.entry(key).or_default().push(row);
            }
        }
        HandOut {
            values,
            leaves: self.leaves,
        }
    }

    /// One value per key.
    fn values<V>(self, values: impl IntoIterator<Item = (K, V)>) -> HandOut<K, V> {
        HandOut {
            values: values.into_iter().collect(),
            leaves: self.leaves,
        }
    }
}

/// Values by key, handed to the leaves that refer to it: moved to the last of them, cloned for
/// the others (a key shared by several leaves happens under a to-one level or with a row
/// listed twice).
struct HandOut<K, V> {
    values: HashMap<K, V>,
    leaves: HashMap<K, usize>,
}

impl<K: Hash + Eq, V: Clone> HandOut<K, V> {
    fn take(&mut self, key: &K) -> Option<V> {
        let left = self.leaves.get_mut(key)?;
        *left = left.saturating_sub(1);
        if *left == 0 {
            self.values.remove(key)
        } else {
            self.values.get(key).cloned()
        }
    }
}
