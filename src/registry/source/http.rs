//! Helm chart repositories over HTTP(S): a repository's `index.yaml` lists its charts and
//! their releases, and each release is a chart archive downloaded when a layer needs it,
//! checked against the index's digest and kept in the cache by that digest.
