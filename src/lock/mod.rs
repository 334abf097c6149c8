//! Locking: deciding which locks are current and computing new ones ([`plan`]), reading a
//! profile's current lock for the commands that must not re-resolve ([`current`]),
//! rendering a profile from its lock ([`render`]), and committing changed locks
//! ([`commit`]). The file format is the `lockfile` room's.

pub mod commit;
pub mod current;
pub mod plan;
mod planned;
pub mod render;
pub mod stale;
