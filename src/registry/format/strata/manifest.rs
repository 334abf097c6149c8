//! strata's `pack.toml`: the manifest's schema, and the checks that turn it and a
//! release's files into a [`Pack`].

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Source, suggest};
use crate::model::chart::{Chart, check_fields};
use crate::model::config::is_identifier;
use crate::model::pack::{Assertion, Constraint, LayerType, Pack, Target};
use crate::model::param::ParamSpec;
use crate::model::version::{Version, VersionSpec};
use crate::registry::source::Tree;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    pack: PackMeta,
    #[serde(default)]
    #[schemars(with = "Vec<Requirement>")]
    requires: Vec<Spanned<Requirement>>,
    #[serde(default)]
    #[schemars(with = "Vec<Conflict>")]
    conflicts: Vec<Spanned<Conflict>>,
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, ParamSpec>")]
    params: BTreeMap<Spanned<String>, Spanned<ParamSpec>>,
    #[serde(default)]
    #[schemars(with = "Vec<ChartDecl>")]
    chart: Vec<Spanned<ChartDecl>>,
    #[serde(default, rename = "assert")]
    #[schemars(with = "Vec<AssertDecl>")]
    asserts: Vec<Spanned<AssertDecl>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ChartDecl {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[schemars(with = "String")]
    repo: Spanned<String>,
    #[schemars(with = "String")]
    version: Spanned<String>,
    #[schemars(with = "String")]
    namespace: Spanned<String>,
    #[schemars(with = "Option<String>")]
    release: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    values: Option<Spanned<String>>,
    /// Objects the chart's workloads need that the cluster provides: `Kind/name` or
    /// `Kind/namespace/name` (`{{ params.<name> }}` for a parameter's value).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    provides_externally: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AssertDecl {
    #[schemars(with = "String")]
    that: Spanned<String>,
    #[schemars(with = "String")]
    message: Spanned<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct PackMeta {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[schemars(with = "String")]
    version: Spanned<String>,
    #[schemars(with = "LayerType")]
    layer: Spanned<LayerType>,
    #[serde(default)]
    category: String,
    display_name: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default = "all_clouds")]
    #[schemars(with = "Vec<String>")]
    clouds: Spanned<Vec<String>>,
}

fn all_clouds() -> Spanned<Vec<String>> {
    Spanned::new(0..0, vec!["all".to_string()])
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Requirement {
    #[schemars(with = "Option<LayerType>")]
    layer: Option<Spanned<LayerType>>,
    #[schemars(with = "Option<String>")]
    pack: Option<Spanned<String>>,
    #[serde(default = "any_version")]
    #[schemars(with = "String")]
    version: Spanned<String>,
    #[serde(default)]
    optional: bool,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Conflict {
    #[schemars(with = "String")]
    pack: Spanned<String>,
    #[serde(default = "any_version")]
    #[schemars(with = "String")]
    version: Spanned<String>,
}

fn any_version() -> Spanned<String> {
    Spanned::new(0..0, "*".to_string())
}

/// Reads `pack.toml` and checks it against the folder or tag the release was found under.
pub fn read_manifest(
    expected_name: &str,
    expected_version: &Version,
    manifest: Source,
    files: Tree,
) -> Result<Pack, Vec<Diagnostic>> {
    let m: Manifest = manifest.parse().map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let at = |span, msg: String| Diagnostic::at(&manifest, span, msg);

    let name = m.pack.name.get_ref();
    if name != expected_name {
        problems.push(at(
            m.pack.name.span(),
            format!("pack name `{name}` does not match its folder `{expected_name}`"),
        ));
    }
    match Version::parse(m.pack.version.get_ref()) {
        Some(v) if v == *expected_version && !v.clashes_with(expected_version) => {}
        Some(v) => problems.push(
            at(
                m.pack.version.span(),
                format!(
                    "pack.toml states version `{v}`, but it is the release `{expected_version}`"
                ),
            )
            .with_hint(format!("set `version = \"{expected_version}\"`")),
        ),
        None => problems.push(at(
            m.pack.version.span(),
            format!("invalid version `{}`", m.pack.version.get_ref()),
        )),
    }
    if m.pack.clouds.get_ref().is_empty() {
        problems.push(
            at(m.pack.clouds.span(), "`clouds` is empty".to_string())
                .with_hint("write `clouds = [\"all\"]` for a pack that runs anywhere"),
        );
    }

    let (requires, conflicts) =
        read_constraints(&manifest, &m.requires, &m.conflicts, &mut problems);
    let params = read_params(&manifest, m.params, &mut problems);
    problems.extend(crate::model::pack::template_name_problems(
        &manifest, &files,
    ));
    let charts = read_charts(&manifest, m.chart, &files, &mut problems);
    let asserts = read_asserts(&manifest, m.asserts, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Pack {
        layer: *m.pack.layer.get_ref(),
        display_name: m.pack.display_name.unwrap_or_else(|| name.clone()),
        category: m.pack.category,
        description: m.pack.description,
        clouds: m.pack.clouds.into_inner(),
        requires,
        conflicts,
        params,
        charts,
        asserts,
        ..Pack::new(name.clone(), expected_version.clone(), manifest, files)
    })
}

/// The `[[requires]]` and `[[conflicts]]` entries, each with its version range read.
fn read_constraints(
    manifest: &Source,
    requires_decls: &[Spanned<Requirement>],
    conflicts_decls: &[Spanned<Conflict>],
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Constraint>, Vec<Constraint>) {
    let at = |span, msg: String| Diagnostic::at(manifest, span, msg);
    let mut requires = Vec::new();
    for r in requires_decls {
        let req = r.get_ref();
        let target = match (&req.layer, &req.pack) {
            (Some(l), None) => Target::Layer(*l.get_ref()),
            (None, Some(p)) => Target::Pack(p.get_ref().clone()),
            _ => {
                problems.push(
                    at(
                        r.span(),
                        "a `requires` entry names either `layer` or `pack`".into(),
                    )
                    .with_hint("write `layer = \"kubernetes\"` or `pack = \"cert-manager\"`"),
                );
                continue;
            }
        };
        match constraint_spec(manifest, &req.version) {
            Ok(spec) => requires.push(Constraint {
                target,
                spec,
                text: req.version.get_ref().clone(),
                optional: req.optional,
            }),
            Err(d) => problems.push(d),
        }
    }
    let mut conflicts = Vec::new();
    for c in conflicts_decls {
        let c = c.get_ref();
        match constraint_spec(manifest, &c.version) {
            Ok(spec) => conflicts.push(Constraint {
                target: Target::Pack(c.pack.get_ref().clone()),
                spec,
                text: c.version.get_ref().clone(),
                optional: false,
            }),
            Err(d) => problems.push(d),
        }
    }

    (requires, conflicts)
}

/// The `[params.*]` entries: valid names, each spec checked, and each `default_from` of
/// the form `<layer>.<parameter>`.
fn read_params(
    manifest: &Source,
    decls: BTreeMap<Spanned<String>, Spanned<ParamSpec>>,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, ParamSpec> {
    let at = |span, msg: String| Diagnostic::at(manifest, span, msg);
    let mut params = BTreeMap::new();
    for (key, spec) in decls {
        if !is_param_name(key.get_ref()) {
            problems.push(at(
                key.span(),
                format!("invalid parameter name `{}`", key.get_ref()),
            ).with_hint("use letters, digits and `_`, starting with a letter (templates read it as `params.<name>`)"));
        }
        problems.extend(spec.get_ref().check(manifest, key.get_ref()));
        params.insert(key.into_inner(), spec.into_inner());
    }
    for (key, spec) in &params {
        if let Some(from) = &spec.default_from
            && let Err(why) = check_default_from(from.get_ref())
        {
            problems.push(
                at(
                    from.span(),
                    format!("`default_from` of parameter `{key}`: {why}"),
                )
                .with_hint("write `<layer>.<parameter>`, e.g. `kubernetes.pod_cidr`"),
            );
        }
    }

    params
}

/// The `[[chart]]` entries, checked: fields, a `values` template that exists (by default
/// the pack's only `*.yaml.j2`), release names that differ.
fn read_charts(
    manifest: &Source,
    decls: Vec<Spanned<ChartDecl>>,
    files: &Tree,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Chart> {
    let at = |span, msg: String| Diagnostic::at(manifest, span, msg);
    let yaml_templates: Vec<&String> = files
        .keys()
        .filter(|f| f.ends_with(".yaml.j2") || f.ends_with(".yml.j2"))
        .collect();
    let mut charts: Vec<Chart> = Vec::new();
    for decl in decls {
        let span = decl.span();
        let d = decl.into_inner();
        let mut bad = false;
        for (field, why) in check_fields(
            d.name.get_ref(),
            d.repo.get_ref(),
            d.version.get_ref(),
            d.namespace.get_ref(),
            d.release.as_ref().map(|r| r.get_ref().as_str()),
        ) {
            let field_span = match field {
                "name" => d.name.span(),
                "repo" => d.repo.span(),
                "version" => d.version.span(),
                "namespace" => d.namespace.span(),
                _ => d.release.as_ref().map_or(span.clone(), |r| r.span()),
            };
            problems.push(at(field_span, why));
            bad = true;
        }
        let values = match &d.values {
            Some(v) if files.contains_key(v.get_ref()) && v.get_ref().ends_with(".j2") => {
                v.get_ref().clone()
            }
            Some(v) => {
                problems.push(
                    at(
                        v.span(),
                        format!(
                            "chart values template `{}` is not a template of this release",
                            v.get_ref()
                        ),
                    )
                    .with_hint_opt(suggest(
                        v.get_ref(),
                        files
                            .keys()
                            .filter(|f| f.ends_with(".j2"))
                            .map(String::as_str),
                    )),
                );
                bad = true;
                String::new()
            }
            None => match yaml_templates.as_slice() {
                [one] => (*one).clone(),
                many => {
                    problems.push(
                        at(
                            d.name.span(),
                            format!(
                                "chart `{}` names no `values` template, and the release has {} `*.yaml.j2` templates",
                                d.name.get_ref(),
                                many.len()
                            ),
                        )
                        .with_hint("write `values = \"values.yaml.j2\"`"),
                    );
                    bad = true;
                    String::new()
                }
            },
        };
        let provides_externally = read_provided(manifest, &d, problems, &mut bad);
        let chart = Chart {
            provides_externally,
            name: d.name.into_inner(),
            repo: d.repo.into_inner(),
            version: d.version.into_inner(),
            namespace: d.namespace.into_inner(),
            release: d.release.map(Spanned::into_inner),
            values,
        };
        if let Some(other) = charts.iter().find(|c| c.release == chart.release) {
            problems.push(
                at(
                    span.clone(),
                    format!(
                        "charts `{}` and `{}` have the same release name",
                        other.name, chart.name
                    ),
                )
                .with_hint("give each chart its own `release = \"...\"`"),
            );
            bad = true;
        }
        if !bad {
            charts.push(chart);
        }
    }
    charts
}

/// A chart's `provides_externally`, each entry checked: `Kind/name` or
/// `Kind/namespace/name` of a kind a workload refers to, its templates compiling.
fn read_provided(
    manifest: &Source,
    d: &ChartDecl,
    problems: &mut Vec<Diagnostic>,
    bad: &mut bool,
) -> Vec<String> {
    let env = minijinja::Environment::new();
    let mut out = Vec::new();
    for entry in &d.provides_externally {
        let text = entry.get_ref();
        // A template stands for a name: check the entry's shape with a name in its place.
        let (shape, compiles) = if text.contains("{{") {
            let compiles = env
                .template_from_str(text)
                .map(|_| ())
                .map_err(|e| e.detail().unwrap_or("syntax error").to_string());
            let mut shape = String::new();
            let mut rest = text.as_str();
            while let Some(i) = rest.find("{{") {
                shape.push_str(&rest[..i]);
                shape.push('x');
                rest = rest[i..].find("}}").map_or("", |j| &rest[i + j + 2..]);
            }
            shape.push_str(rest);
            (shape, compiles)
        } else {
            (text.clone(), Ok(()))
        };
        let why = compiles
            .map_err(|e| format!("does not compile: {e}"))
            .and_then(|()| {
                crate::model::chart::parse_provided(&shape, d.namespace.get_ref()).map(|_| ())
            });
        match why {
            Ok(()) => out.push(text.clone()),
            Err(why) => {
                let kind = shape.split('/').next().unwrap_or_default();
                problems.push(
                    Diagnostic::at(
                        manifest,
                        entry.span(),
                        format!("`provides_externally` entry {why}"),
                    )
                    .with_hint_opt(suggest(kind, crate::model::chart::PROVIDED_KINDS)),
                );
                *bad = true;
            }
        }
    }
    out
}

/// The `[[assert]]` entries, each compiled once to check its syntax (minijinja's default
/// syntax, which rendering keeps; what an expression calls is looked up when it runs).
fn read_asserts(
    manifest: &Source,
    decls: Vec<Spanned<AssertDecl>>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Assertion> {
    let env = minijinja::Environment::new();
    let mut out = Vec::new();
    for decl in decls {
        let d = decl.into_inner();
        let span = d.that.span();
        if let Err(e) = env.compile_expression(d.that.get_ref()) {
            problems.push(Diagnostic::at(
                manifest,
                d.that.span(),
                format!(
                    "assertion does not compile: {}",
                    e.detail().unwrap_or("syntax error")
                ),
            ));
            continue;
        }
        out.push(Assertion {
            that: d.that.into_inner(),
            message: d.message.into_inner(),
            span,
        });
    }
    out
}

/// `<layer>.<parameter>`, both identifiers.
fn check_default_from(text: &str) -> Result<(), String> {
    match text.split_once('.') {
        Some((layer, param)) if is_identifier(layer) && is_param_name(param) => Ok(()),
        _ => Err(format!("`{text}` is not `<layer>.<parameter>`")),
    }
}

fn constraint_spec(
    manifest: &Source,
    version: &Spanned<String>,
) -> Result<VersionSpec, Diagnostic> {
    VersionSpec::parse(version.get_ref())
        .map_err(|e| Diagnostic::at(manifest, version.span(), e.message).with_hint(e.hint))
}

/// Parameter names are identifiers so templates can write `params.name`.
fn is_param_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
