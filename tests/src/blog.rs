//! A blog for the entity manager, relationship and query tests: users with one profile and
//! many posts, posts with comments and labels (many-to-many), a version field, validation
//! rules and lifecycle hooks.

use ff_runtime::prelude::*;

/// An author.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(table = "users", has_many(posts = Post), has_one(profile = Profile))]
pub struct User {
    pub id: i32,
    #[ff(unique, length = 100, validate(length(min = 2, max = 100)))]
    pub name: String,
    #[ff(length = 190, validate(pattern = r"^[^@\s]+@[^@\s]+$"))]
    pub email: String,
}

/// The one profile of a user.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: i32,
    #[ff(belongs_to = User, unique, on_delete = "cascade")]
    pub user_id: i32,
    pub bio: String,
}

/// A post of a user, guarded by a version field.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(has_many(comments = Comment), many_to_many(labels = Label, through = PostLabel))]
pub struct Post {
    pub id: i32,
    #[ff(belongs_to = User, on_delete = "cascade")]
    pub user_id: i32,
    #[ff(length = 200, validate(length(min = 1, max = 200)))]
    pub title: String,
    pub body: String,
    #[ff(default = 0, validate(range(min = 0, max = 1_000_000)))]
    pub likes: i32,
    #[ff(version, default = 1)]
    pub version: i32,
}

/// A comment on a post, with lifecycle hooks.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(lifecycle)]
pub struct Comment {
    pub id: i32,
    #[ff(belongs_to = Post, on_delete = "cascade")]
    pub post_id: i32,
    pub body: String,
    #[ff(default = 0)]
    pub edits: i32,
    /// Set by the `after_load` hook: not stored.
    #[ff(skip)]
    pub loaded: bool,
}

impl Lifecycle for Comment {
    fn before_insert(&mut self) -> ff_runtime::Result<()> {
        self.body = self.body.trim().to_owned();
        Ok(())
    }

    fn before_update(&mut self) -> ff_runtime::Result<()> {
        self.edits += 1;
        Ok(())
    }

    fn before_delete(&self) -> ff_runtime::Result<()> {
        if self.body == "pinned" {
            return Err(Error::Rejected("a pinned comment cannot be deleted".into()));
        }
        Ok(())
    }

    fn after_load(&mut self) {
        self.loaded = true;
    }
}

/// A label put on posts.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(many_to_many(posts = Post, through = PostLabel))]
pub struct Label {
    pub id: i32,
    #[ff(unique, length = 50)]
    pub name: String,
}

/// The link between a post and a label.
#[derive(Entity, Debug, Clone, PartialEq, Default)]
#[ff(unique(post_id, label_id))]
pub struct PostLabel {
    pub id: i32,
    #[ff(belongs_to = Post, on_delete = "cascade")]
    pub post_id: i32,
    #[ff(belongs_to = Label, on_delete = "cascade")]
    pub label_id: i32,
}

impl User {
    /// A new user (its key is generated on insert).
    pub fn new(name: &str) -> User {
        User {
            id: 0,
            name: name.into(),
            email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
        }
    }
}

impl Post {
    /// A new post of `user_id` (its key is generated on insert).
    pub fn new(user_id: i32, title: &str) -> Post {
        Post {
            id: 0,
            user_id,
            title: title.into(),
            body: String::new(),
            likes: 0,
            version: 1,
        }
    }
}

impl Comment {
    /// A new comment on `post_id` (its key is generated on insert).
    pub fn new(post_id: i32, body: &str) -> Comment {
        Comment {
            id: 0,
            post_id,
            body: body.into(),
            edits: 0,
            loaded: false,
        }
    }
}

/// The blog's tables.
pub fn blog_tables() -> Vec<&'static ff_runtime::schema::TableDef> {
    vec![
        User::META,
        Profile::META,
        Post::META,
        Comment::META,
        Label::META,
        PostLabel::META,
    ]
}

/// Inserts `users` users with `posts` posts each and `comments` comments per post, in
/// batches; returns the users.
pub fn seed_blog(conn: &mut Connection, users: usize, posts: usize, comments: usize) -> Vec<User> {
    conn.create_tables(&blog_tables()).unwrap();
    let new_users: Vec<User> = (0..users).map(|i| User::new(&format!("user{i}"))).collect();
    Repository::<User>::new(conn)
        .insert_many(&new_users)
        .unwrap();
    let users = Repository::<User>::new(conn)
        .find_by(Criteria::all(), user::id.asc(), None, None)
        .unwrap();
    let new_posts: Vec<Post> = users
        .iter()
        .flat_map(|u| (0..posts).map(move |i| Post::new(u.id, &format!("post {i} of {}", u.name))))
        .collect();
    Repository::<Post>::new(conn)
        .insert_many(&new_posts)
        .unwrap();
    let post_ids: Vec<i32> = Post::query()
        .order_by(post::id.asc())
        .load(conn)
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    let new_comments: Vec<Comment> = post_ids
        .iter()
        .flat_map(|&id| (0..comments).map(move |i| Comment::new(id, &format!("comment {i}"))))
        .collect();
    Repository::<Comment>::new(conn)
        .insert_many(&new_comments)
        .unwrap();
    users
}

/// A key-only entity (its key chosen by the application): nothing to update, nothing to warn.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Slug {
    #[ff(primary_key, length = 100)]
    pub value: String,
}
