//! Pull-request review: what a change does to the resolved stacks. Each side (a revision, or
//! the working tree) is read straight from git objects; every profile is taken from its
//! current lock, or resolved in memory when its lock is missing or stale at that side.
//! [`diff`] compares two sides into a model that [`text`] and [`markdown`] print (and JSON
//! serializes as it is).

pub mod clusters;
pub mod diff;
mod markdown;
pub mod side;
pub mod status;
mod text;

pub use diff::{Diff, diff};
pub use side::{LayerState, Side, State, sides};
pub use status::{Kind, Status};
