//! What users and pack authors write, as strata reads it: `strata.toml` ([`config`]), pack
//! releases ([`pack`]) and their parameter schemas ([`param`]), the charts they install
//! ([`chart`]), values documents and their rules ([`document`]), profile variables
//! ([`variable`]), tags ([`tags`]), and versions, pins and trains ([`version`]). Profiles
//! themselves are a room of their own, above this one (`crate::profile`).

pub mod chart;
pub mod config;
pub(crate) mod document;
pub mod http_url;
pub mod pack;
pub(crate) mod param;
pub(crate) mod tags;
pub(crate) mod variable;
pub mod version;
