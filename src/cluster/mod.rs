//! Clusters: `clusters/<name>/cluster.toml` pins a released profile (its tag
//! `profiles/<profile>/v<version>`), add-on profiles on top (each pinned the same way), tags,
//! and the values of the profiles' variables. A cluster is rendered from the pinned tags'
//! trees and locks, never from the working tree unless a `version` is left out.
//!
//! [`file`] reads cluster files, [`pin`] reads a profile as of its release, [`build`]
//! combines, checks ([`fit`]) and renders the stack, [`check`] checks clusters.

mod build;
mod check;
mod file;
mod fit;
mod pin;

pub use build::{build, build_with, build_without_secrets};
pub use check::{Checks, check};
pub(crate) use file::ClusterFile;
pub use file::{
    Cluster, DIR, FILE_NAME, LoadedCluster, all_releases, find, load_clusters, release_tag, select,
};
