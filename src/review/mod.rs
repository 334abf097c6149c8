//! Pull-request review: what a change does to the resolved stacks. Each side (a revision, or
//! the working tree) is read straight from git objects; every profile is taken from its
//! current lock, or resolved in memory when its lock is missing or stale at that side.
//! [`diff`] compares two sides into a model that [`text`] and [`markdown`] print (and JSON
//! serializes as it is).

pub(crate) mod clusters;
pub(crate) mod diff;
mod escape;
pub(crate) mod layers;
mod markdown;
pub(crate) mod objects;
mod quick;
pub(crate) mod side;
mod stack;
pub(crate) mod status;
mod text;

pub use diff::diff;
pub use quick::sides;
pub use stack::fill as cluster_stacks;
