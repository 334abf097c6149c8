//! Where an export goes, and how each target takes a sensitive value by reference.

/// How a sensitive value is marked while rendering, before it becomes `${var.NAME}`.
pub const REF_OPEN: &str = "@@strata-var:";
pub const REF_CLOSE: &str = "@@";

/// How a sensitive value is marked while rendering, before it becomes a `valuesFrom`.
pub fn marker(name: &str) -> String {
    format!("{MARKER}{name}")
}

/// What starts a [`marker`].
pub const MARKER: &str = "strata-sensitive-value:";

/// Where an export goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    Palette,
    Terraform,
    Flux,
    Argocd,
    Helmfile,
}

impl Target {
    pub const ALL: [Target; 5] = [
        Target::Palette,
        Target::Terraform,
        Target::Flux,
        Target::Argocd,
        Target::Helmfile,
    ];

    /// A target by its name (`palette`, `flux`, …).
    pub fn parse(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Palette => "palette",
            Target::Terraform => "terraform",
            Target::Flux => "flux",
            Target::Argocd => "argocd",
            Target::Helmfile => "helmfile",
        }
    }

    /// How a sensitive variable reaches the engine: a reference it resolves (`None`: the
    /// target holds no secrets by reference).
    pub fn reference(self, name: &str) -> Option<String> {
        match self {
            Target::Palette => Some(format!("{{{{.spectro.var.{name}}}}}")),
            Target::Terraform => Some(format!("{}{name}{}", REF_OPEN, REF_CLOSE)),
            Target::Flux => Some(marker(name)),
            Target::Argocd | Target::Helmfile => None,
        }
    }
}
