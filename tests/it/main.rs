//! strata's integration tests, one binary: each module drives the real `strata` binary in
//! temporary folders (or the library directly), with the shared helpers of [`util`].

#[macro_use]
mod util;

mod architecture;
mod catalog;
mod chart_repos;
mod clusters;
mod commands;
mod delivery;
mod distribution;
mod exhaustion;
mod export;
mod formats;
mod git;
mod hardening;
mod injection;
mod inputs;
mod lock;
mod manifest_checks;
mod manifest_diff;
mod manifests;
mod oci;
mod real_repos;
mod registries;
mod render;
mod review;
mod review_unread;
mod robustness;
mod schemas;
mod secrets;
mod site;
mod tour;
mod trust;
mod trust_charts;
mod validate;
