//! OCI registries (the Distribution API): a pack is a repository, its releases are the tags
//! that are versions, and a release is identified by its manifest digest; the chart or
//! pack archive is the manifest's layer, kept in the cache by its digest.
