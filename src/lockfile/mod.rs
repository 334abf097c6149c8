//! Lock files (`profiles/<name>/profile.lock`): the format, read once into typed entries
//! and written in one canonical layout ([`format`]), and the one check that a locked
//! release is still what was locked ([`integrity`]). Deciding which locks are current and
//! computing new ones is the `lock` room's, above resolution.

mod format;
pub(crate) mod integrity;
#[cfg(test)]
mod tests;

pub use format::{
    BaseFile, FILE_NAME, HEADER, Lock, LockedChart, LockedLayer, VERSION, inputs, inputs_v2,
    is_newer,
};
