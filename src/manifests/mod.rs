//! Manifests: what a cluster runs. Each layer rendered to Kubernetes objects (its manifest
//! templates, and its charts through Helm's own engine), the objects as a model (keyed by
//! group, kind, namespace and name), their review between two revisions, and the checks on
//! them (APIs the profile's Kubernetes no longer serves, references nothing provides).
