//! Rendering: a layer's effective parameters ([`values`]) fed to its pack's templates
//! ([`templates`]), with the profile and its other layers as context; the pack's assertions
//! checked, rendered YAML parsed and each file told apart (chart values, manifest, file);
//! a profile is rendered from its lock in `crate::lock::render`.

pub(crate) mod effective;
pub mod kinds;
pub(crate) mod merged;
pub(crate) mod taint;
pub(crate) mod templates;
pub(crate) mod values;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Source};
use crate::digest::{hex, sha256};
use crate::model::pack::Pack;
use crate::model::variable::Bindings;
use crate::profile::{Layer, Profile};
use crate::shown::shorten;

pub use kinds::FileKind;
pub use templates::{FUEL, MAX_OUTPUT, Templates, compile, environment};

/// What templates see of the profile: `profile.tags` is a map (a bare tag maps to `""`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ProfileInfo {
    pub name: String,
    pub cloud: String,
    pub tags: BTreeMap<String, String>,
}

impl ProfileInfo {
    pub fn of(profile: &Profile) -> ProfileInfo {
        ProfileInfo {
            name: profile.name.clone(),
            cloud: profile.cloud.get_ref().clone(),
            tags: profile.tag_map(),
        }
    }
}

/// What templates see of every layer of the profile (`layers.<name>`), its effective
/// parameters included (`layers.kubernetes.params.pod_cidr`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LayerInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub pack: String,
    pub version: String,
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub params: BTreeMap<String, toml::Value>,
}

/// One layer's effective parameters and rendered files, and what each file is.
pub struct Rendered {
    pub values: BTreeMap<String, effective::Effective>,
    pub files: BTreeMap<String, String>,
    pub kinds: BTreeMap<String, FileKind>,
}

/// What the templates of every layer of one profile see: the profile, and each layer's
/// pack, version and effective parameters (`layers.<name>`). Built once per profile: a
/// profile of many layers must not convert them all for each.
pub struct Stack {
    profile: minijinja::Value,
    layers: minijinja::Value,
    names: Vec<String>,
    types: Vec<String>,
    values: Vec<BTreeMap<String, effective::Effective>>,
    /// The files a value of this stack can be set in (the profile, its bases, a cluster
    /// file), to point at the user's line.
    pub sources: Vec<crate::diagnostic::Source>,
    /// The profile's variables and their values, for layers with a values document.
    variables: BTreeMap<String, crate::model::variable::Variable>,
    bindings: Bindings,
    /// Every secret replaced by its decoy ([`taint`]).
    decoy: bool,
}

impl Stack {
    /// The stack of `layers` (each layer with the release chosen for it): effective values
    /// of every layer (`default_from` followed), and the template context.
    pub fn new(
        catalog: &Catalog,
        profile: &Profile,
        layers: &[(&Layer, &Pack)],
        bindings: &Bindings,
    ) -> Result<Stack, Vec<Diagnostic>> {
        Stack::build(catalog, profile, layers, bindings, false)
    }

    /// Whether some layer's value is a secret's own text, so that what renders may show
    /// it (see [`taint`]).
    pub fn has_secrets(&self) -> bool {
        self.values.iter().flatten().any(|(_, e)| e.holds_secret())
    }

    /// This stack with every secret replaced by its decoy, to find by difference what its
    /// renders show of them.
    pub fn decoy(
        &self,
        catalog: &Catalog,
        profile: &Profile,
        layers: &[(&Layer, &Pack)],
    ) -> Result<Stack, Vec<Diagnostic>> {
        let bindings = taint::decoy_bindings(&self.variables, &self.bindings);
        let mut stack = Stack::build(catalog, profile, layers, &bindings, true)?;
        stack.sources = self.sources.clone();
        Ok(stack)
    }

    fn build(
        catalog: &Catalog,
        profile: &Profile,
        layers: &[(&Layer, &Pack)],
        bindings: &Bindings,
        decoy: bool,
    ) -> Result<Stack, Vec<Diagnostic>> {
        let mut values = values::effective_stack(
            layers,
            profile,
            &catalog.config,
            &catalog.config_source,
            bindings,
        )?;
        if decoy {
            for e in values.iter_mut().flat_map(|v| v.values_mut()) {
                if e.secret {
                    e.value = taint::decoy_value(&e.value);
                }
            }
        }
        let mut infos: BTreeMap<String, LayerInfo> = layers
            .iter()
            .zip(&values)
            .map(|((layer, pack), v)| {
                let info = LayerInfo {
                    name: layer.name.clone(),
                    ty: layer.ty.to_string(),
                    pack: pack.name.clone(),
                    version: pack.version.to_string(),
                    params: values::plain(v),
                };
                (layer.name.clone(), info)
            })
            .collect();
        let names: Vec<String> = layers.iter().map(|(l, _)| l.name.clone()).collect();
        let types: Vec<String> = layers.iter().map(|(l, _)| l.ty.to_string()).collect();
        // A core layer is also reachable by its type (`layers.kubernetes`) when no layer
        // has that name, so packs need not know what a profile calls its layers.
        let mut of_type: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, ty) in types.iter().enumerate() {
            of_type.entry(ty).or_default().push(i);
        }
        for (ty, at) in of_type {
            if let [i] = at[..]
                && !infos.contains_key(ty)
            {
                let info = infos[&names[i]].clone();
                infos.insert(ty.to_string(), info);
            }
        }
        Ok(Stack {
            profile: minijinja::Value::from(minijinja::value::Serde(ProfileInfo::of(profile))),
            layers: minijinja::Value::from(minijinja::value::Serde(&infos)),
            names,
            types,
            values,
            sources: std::iter::once(profile.source.clone())
                .chain(profile.bases.iter().map(|(_, s)| s.clone()))
                .collect(),
            variables: profile.variables.clone(),
            bindings: bindings.clone(),
            decoy,
        })
    }

    /// The effective parameters of layer `i`.
    pub fn values(&self, i: usize) -> &BTreeMap<String, effective::Effective> {
        &self.values[i]
    }

    /// The effective parameters of the layer named `name`, or of the only layer of that
    /// type when no layer has the name.
    pub fn layer_values(&self, name: &str) -> Option<&BTreeMap<String, effective::Effective>> {
        let i = self.names.iter().position(|n| n == name).or_else(|| {
            let mut of_type = self.types.iter().enumerate().filter(|(_, t)| *t == name);
            match (of_type.next(), of_type.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        })?;
        Some(&self.values[i])
    }

    /// Renders layer `i` of `profile` with the release `pack`: its templates, its
    /// assertions, and its YAML, which must parse.
    pub fn render(
        &self,
        catalog: &Catalog,
        i: usize,
        layer: &Layer,
        pack: &Pack,
    ) -> Result<Rendered, Vec<Diagnostic>> {
        let values = self.values[i].clone();
        let params = values::plain(&values);
        // A decoy render only shows what depends on secrets: the real render checked it.
        if !self.decoy {
            let failed = assertions(self, catalog, i, layer, pack, &params);
            if !failed.is_empty() {
                return Err(failed);
            }
        }
        let files = match &pack.document {
            // A values document: the layer's values merged into it.
            Some(doc) => {
                let inputs = merged::Inputs {
                    variables: &self.variables,
                    config: &catalog.config,
                    config_source: &catalog.config_source,
                    bindings: &self.bindings,
                    sources: &self.sources,
                    decoy: self.decoy,
                };
                let text = merged::render(pack, layer, &inputs)?;
                BTreeMap::from([(doc.file.clone(), text)])
            }
            None => catalog
                .memo
                .get::<templates::Compiled>()
                .of(pack)
                .and_then(|t| {
                    t.render(
                        &params,
                        pack,
                        &self.profile,
                        &self.layers,
                        &catalog.rendered,
                    )
                })
                .map_err(|d| vec![d])?,
        };
        let kinds = catalog.memo.get::<kinds::Kinds>().of(pack, &files)?;
        Ok(Rendered {
            values,
            files,
            kinds,
        })
    }

    /// The context an assertion of layer `params` sees.
    fn context(&self, pack: &Pack, params: &BTreeMap<String, toml::Value>) -> minijinja::Value {
        minijinja::context! {
            params => minijinja::value::Serde(params),
            pack => minijinja::context! { name => pack.name.clone(), version => pack.version.to_string() },
            profile => self.profile.clone(),
            layers => self.layers.clone(),
        }
    }
}

/// The lock's `rendered` digest: `sha256:` of a line `<sha256 hex>  <file>` per rendered
/// file, sorted by file name, so names and contents both count.
pub fn digest(files: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (name, content) in files {
        use sha2::Digest as _;
        text.push_str(&hex(&sha2::Sha256::digest(content.as_bytes())));
        text.push_str("  ");
        text.push_str(name);
        text.push('\n');
    }
    sha256(text.as_bytes())
}

/// `params.<name>` and `layers.<layer>.params.<name>` in an assertion.
static PARAM: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?:layers\.([A-Za-z0-9_.-]+?)\.)?params\.([A-Za-z_][A-Za-z0-9_]*)")
        .expect("valid regex")
});

/// The layer's assertions that do not hold, each reported at the user's line that set a
/// value it reads (or at the layer, when every value it reads is a default).
fn assertions(
    stack: &Stack,
    catalog: &Catalog,
    i: usize,
    layer: &Layer,
    pack: &Pack,
    params: &BTreeMap<String, toml::Value>,
) -> Vec<Diagnostic> {
    if pack.asserts.is_empty() {
        return Vec::new();
    }
    let mut env = environment();
    env.set_fuel(Some(FUEL));
    let ctx = stack.context(pack, params);
    let mut failed = Vec::new();
    for a in &pack.asserts {
        let label = format!("{} {}", pack.name, pack.version);
        // An assertion that reads a variable without a value waits for the cluster that
        // binds it.
        let waits = PARAM.captures_iter(&a.that).any(|cap| {
            let values = match cap.get(1) {
                Some(l) => stack.layer_values(l.as_str()),
                None => Some(stack.values(i)),
            };
            values
                .and_then(|v| v.get(&cap[2]))
                .is_some_and(|e| e.is_placeholder())
        });
        if waits {
            continue;
        }
        let result =
            crate::limits::within(crate::limits::TEMPLATE_MEMORY, &pack.manifest.name, || {
                env.compile_expression(&a.that)
                    .and_then(|expr| expr.eval(ctx.clone()))
            });
        let holds = match result {
            Ok(v) => v.is_true(),
            Err(e) => {
                failed.push(Diagnostic::at(
                    &pack.manifest,
                    a.span.clone(),
                    format!(
                        "assertion `{}` of {label} cannot be evaluated: {}",
                        a.that,
                        e.detail().map_or_else(|| e.to_string(), str::to_string)
                    ),
                ));
                continue;
            }
        };
        if holds {
            continue;
        }
        // The values the expression reads, and who set them.
        let mut read = Vec::new();
        let mut at_user = None;
        for cap in PARAM.captures_iter(&a.that) {
            let name = &cap[2];
            let (shown, values) = match cap.get(1) {
                Some(l) => (
                    format!("layers.{}.params.{name}", l.as_str()),
                    stack.layer_values(l.as_str()),
                ),
                None => (format!("params.{name}"), Some(stack.values(i))),
            };
            if let Some(e) = values.and_then(|v| v.get(name)) {
                read.push(format!("{shown} = {}", shorten(&e.shown(), 60)));
                if at_user.is_none() {
                    at_user = e.user_line().map(|(f, l)| (f.to_string(), l));
                }
            }
        }
        let message = format!("{} (assertion of {label}: `{}`)", a.message, a.that);
        let source: Option<&Source> = at_user.as_ref().and_then(|(file, _)| {
            stack
                .sources
                .iter()
                .chain([&catalog.config_source])
                .find(|s| s.name == *file)
        });
        let d = match (source, &at_user) {
            (Some(src), Some((_, line))) => Diagnostic::at_line(src, *line, message),
            _ => Diagnostic::at(&layer.source, layer.span.clone(), message),
        };
        failed.push(d.with_hint_opt((!read.is_empty()).then(|| read.join(", "))));
    }
    failed
}
