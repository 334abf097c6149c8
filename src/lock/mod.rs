//! Locking: deciding which locks are current and computing new ones ([`plan`]), reading a
//! profile's current lock for the commands that must not re-resolve ([`current`], and
//! [`why`] to say what changed in a stale one),
//! rendering a profile from its lock ([`render`]), and committing changed locks
//! ([`commit`]). The file format is the `lockfile` room's.

pub(crate) mod commit;
pub(crate) mod current;
mod kept;
pub(crate) mod plan;
mod planned;
pub(crate) mod render;
pub(crate) mod stale;
pub(crate) mod why;
