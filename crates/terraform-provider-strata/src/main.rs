//! terraform-provider-strata: strata's locked profiles, clusters and exports as Terraform
//! (and OpenTofu) data sources, over a catalog checkout, with no service in between. It
//! speaks the plugin protocol v6 through the `tf-provider` crate; every read is the same
//! code path as `strata render`, `strata cluster render` and `strata export`.

// Templates are bounded in memory and time as in the CLI (strata::limits).
#[global_allocator]
static ALLOC: strata::limits::Bounded<std::alloc::System> =
    strata::limits::Bounded::new(std::alloc::System);

mod data;
mod diagnostics;
mod schema;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_provider::value::Value;
use tf_provider::{DynamicDataSource, Provider};

use strata::context::Context;
use strata::output::{Output, OutputFormat, Verbosity};
use strata::registry::Settings;

/// go-plugin's handshake: Terraform sets this before it starts a provider.
const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("--version") {
        println!("terraform-provider-strata {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if std::env::var(MAGIC_COOKIE.0).ok().as_deref() != Some(MAGIC_COOKIE.1) {
        eprintln!(
            "terraform-provider-strata is a Terraform plugin: Terraform (or OpenTofu) starts it.\n  hint: see docs/terraform.md to install it, then run `terraform plan`"
        );
        return ExitCode::from(1);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(tf_provider::serve("strata", StrataProvider::default())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The provider's settings once Terraform has configured it, shared by its data sources.
#[derive(Clone, Default)]
pub struct Shared(Arc<Mutex<Option<Configured>>>);

/// Where the catalog is and how registries are read, for every read of this run.
#[derive(Clone)]
pub struct Configured {
    /// The folder to look for `strata.toml` from (it and its parents).
    catalog: PathBuf,
    /// One for the run: a registry is fetched (when `offline = false`) at most once.
    settings: Settings,
}

impl Shared {
    /// The context a read opens the catalog with, `at` a revision when given.
    fn context(&self, at: Option<String>) -> Option<Context> {
        let configured = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
        Some(Context {
            dir: Some(configured.catalog),
            at,
            out: quiet(),
            // Each read's caches (compiled templates, rendered files) end with it.
            registries: configured.settings.with_own_caches(),
        })
    }
}

fn quiet() -> Output {
    Output {
        format: OutputFormat::Text,
        verbosity: Verbosity::Quiet,
    }
}

#[derive(Default)]
struct StrataProvider {
    shared: Shared,
}

/// `provider "strata" { … }`.
#[derive(Serialize, Deserialize)]
struct ProviderConfig {
    catalog: Value<String>,
    cache_dir: Value<String>,
    offline: Value<bool>,
}

#[async_trait]
impl Provider for StrataProvider {
    type Config<'a> = ProviderConfig;
    type MetaState<'a> = tf_provider::value::ValueEmpty;

    fn schema(&self, _: &mut tf_provider::Diagnostics) -> Option<tf_provider::schema::Schema> {
        Some(schema::provider())
    }

    async fn configure<'a>(
        &self,
        diags: &mut tf_provider::Diagnostics,
        _terraform_version: String,
        config: ProviderConfig,
    ) -> Option<()> {
        let catalog = config
            .catalog
            .as_option()
            .map_or_else(|| PathBuf::from("."), PathBuf::from);
        let cache_dir = config
            .cache_dir
            .as_option()
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("STRATA_CACHE").map(PathBuf::from))
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(strata::context::default_cache_dir);
        // A plan must not fetch: the default reads the cache only.
        let offline = config.offline.as_option().unwrap_or(true);
        // The catalog is found now, so a wrong path is an error of the provider block.
        if let Err(e) = strata::catalog::Catalog::find_root(&catalog) {
            diagnostics::report(diags, &e);
            return None;
        }
        *self.shared.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(Configured {
            catalog,
            settings: strata::context::registry_settings(cache_dir, offline, quiet()),
        });
        Some(())
    }

    fn get_data_sources(
        &self,
        _: &mut tf_provider::Diagnostics,
    ) -> Option<std::collections::HashMap<String, Box<dyn DynamicDataSource>>> {
        // Named `strata_<name>` by the framework.
        let s = &self.shared;
        Some(
            [
                ("profile", data::profile(s)),
                ("cluster", data::cluster(s)),
                ("export", data::export(s)),
            ]
            .into_iter()
            .map(|(name, source)| (name.to_string(), source))
            .collect(),
        )
    }
}
