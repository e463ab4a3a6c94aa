//! The front end of the derives: parsing, the attribute model, and checks.

pub mod ast;
pub mod attr;
pub mod check;
pub mod ctxt;
pub mod types;
