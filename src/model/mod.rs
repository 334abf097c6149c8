//! What users and pack authors write, as strata reads it: `strata.toml` ([`config`]),
//! profiles ([`profile`]), pack releases ([`pack`]) and their parameter schemas
//! ([`param`]), the charts they install ([`chart`]), and versions, pins and trains
//! ([`version`]).

pub mod chart;
pub mod config;
pub mod document;
pub mod pack;
pub mod param;
pub mod profile;
pub mod tags;
pub mod variable;
pub mod version;
