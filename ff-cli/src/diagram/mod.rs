//! Entity-relationship diagrams of a schema: the [`Diagram`] model, built from the tables of
//! the entities or of a live database, and one renderer per output format. Every renderer is
//! a pure function from the model to text, so the same schema always gives the same bytes.

mod dot;
mod layout;
mod live;
mod mermaid;
mod model;
mod route;
mod svg;
mod text_width;

pub use dot::render as dot;
pub use live::schema_of;
pub use mermaid::render as mermaid;
pub use model::Diagram;
pub use svg::render as svg;
