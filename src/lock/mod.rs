//! Locking: the lock file format ([`file`]), deciding which locks are current and computing
//! new ones ([`plan`]), reading a profile's current lock for the commands that must not
//! re-resolve ([`current`]), checking a locked release against its registry
//! ([`integrity`]), and committing changed locks ([`commit`]).

pub mod commit;
pub mod current;
pub mod file;
pub mod integrity;
pub mod plan;

pub use file::{FILE_NAME, Lock, LockedLayer};
