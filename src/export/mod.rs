//! Exports: locked profiles and clusters handed to the engines that deploy clusters
//! (Palette, Terraform, Flux, Argo CD, helmfile). Like [`crate::render`], an export reads
//! the lock only and never re-resolves, so the same lock gives the same bytes. Each target
//! has a module; they share the [`Subject`] and the chart deliveries of its layers
//! ([`subject`]), and how a target references a sensitive value ([`target`]).

mod gitops;
mod palette;
pub mod subject;
pub mod target;
mod terraform;

use crate::diagnostic::Diagnostic;

pub use subject::{Export, Subject, cluster_subject, profile_subject};
pub use target::Target;

/// Exports a subject to a target; `allow_plaintext` lets sensitive values into targets that
/// cannot reference them (Argo CD, helmfile).
pub fn export(
    subject: &Subject,
    target: Target,
    allow_plaintext: bool,
) -> Result<Export, Vec<Diagnostic>> {
    if !allow_plaintext {
        let clear = subject.secrets_in_clear();
        if !clear.is_empty() {
            return Err(clear);
        }
    }
    if matches!(target, Target::Argocd | Target::Helmfile) && !allow_plaintext {
        let problems: Vec<Diagnostic> = subject
            .sensitive_bound
            .iter()
            .map(|name| {
                Diagnostic::plain(format!(
                    "variable `{name}` is sensitive, and {} cannot take a value by reference",
                    target.as_str()
                ))
                .with_hint("export to flux (a Secret in `valuesFrom`), palette or terraform; or pass `--allow-plaintext` to write the value in clear")
            })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    Ok(match target {
        Target::Palette => palette::export(subject),
        Target::Terraform => terraform::export(subject),
        Target::Flux => gitops::flux(subject),
        Target::Argocd => gitops::argocd(subject),
        Target::Helmfile => gitops::helmfile(subject)?,
    })
}
