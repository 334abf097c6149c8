//! Exports: locked profiles handed to the engines that deploy clusters (Palette, Terraform,
//! Flux, Argo CD, helmfile). Like [`crate::render`], an export reads the lock only and never
//! re-resolves, so the same lock gives the same bytes. Each target gets a module here.
