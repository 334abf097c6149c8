//! Profiles (`profiles/<name>/profile.toml`): the file format and what it checks alone
//! ([`file`]), the composed stack every other room reads ([`stack`]), composition of
//! `extends` ([`compose`]), and the layout rules ([`layout`]).

mod compose;
pub(crate) mod file;
mod layout;
pub(crate) mod stack;

pub use file::{FILE_NAME, ProfileDoc};
pub use stack::{Layer, LayerValue, Profile, ProfileType, Request};
