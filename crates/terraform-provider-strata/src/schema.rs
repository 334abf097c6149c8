//! The schemas Terraform sees: the provider block and the three data sources.

use std::collections::HashMap;

use tf_provider::schema::{
    Attribute, AttributeConstraint, AttributeType, Block, Description, Schema,
};

/// The schema version of the provider and of every data source.
const VERSION: i64 = 1;

fn attr(ty: AttributeType, constraint: AttributeConstraint, text: &str) -> Attribute {
    Attribute {
        attr_type: ty,
        description: Description::markdown(text),
        constraint,
        sensitive: false,
        deprecated: false,
    }
}

fn string() -> AttributeType {
    AttributeType::String
}

fn string_map() -> AttributeType {
    AttributeType::Map(Box::new(AttributeType::String))
}

fn object(fields: &[(&str, AttributeType)]) -> AttributeType {
    AttributeType::Object(
        fields
            .iter()
            .map(|(k, t)| (k.to_string(), t.clone()))
            .collect(),
    )
}

fn schema(text: &str, attributes: Vec<(&str, Attribute)>) -> Schema {
    Schema {
        version: VERSION,
        block: Block {
            version: VERSION,
            attributes: attributes
                .into_iter()
                .map(|(k, a)| (k.to_string(), a))
                .collect::<HashMap<_, _>>(),
            blocks: HashMap::new(),
            description: Description::markdown(text),
            deprecated: false,
        },
    }
}

use AttributeConstraint::{Computed, Optional, Required};

pub fn provider() -> Schema {
    schema(
        "Reads a strata catalog checkout: locked profiles, clusters and their exports.",
        vec![
            (
                "catalog",
                attr(
                    string(),
                    Optional,
                    "The catalog folder (or a folder inside it); default: the nearest `strata.toml` from Terraform's working directory.",
                ),
            ),
            (
                "cache_dir",
                attr(
                    string(),
                    Optional,
                    "Where git registries are mirrored; default: `$STRATA_CACHE`, else the user cache folder (as `strata`).",
                ),
            ),
            (
                "offline",
                attr(
                    AttributeType::Bool,
                    Optional,
                    "Read registries from the cache only (default `true`: a plan never fetches). Run `strata fetch` first, or set `false` to fetch a locked commit the cache lacks.",
                ),
            ),
        ],
    )
}

/// One layer as the data sources give it.
fn layer() -> AttributeType {
    let chart = object(&[
        ("name", string()),
        ("repo", string()),
        ("version", string()),
        ("namespace", string()),
        ("release", string()),
        ("values", string()),
    ]);
    object(&[
        ("type", string()),
        ("name", string()),
        ("pack", string()),
        ("registry", string()),
        ("requested", string()),
        ("version", string()),
        ("commit", string()),
        ("digest", string()),
        ("values", string()),
        ("files", string_map()),
        ("charts", AttributeType::List(Box::new(chart))),
    ])
}

fn variables() -> Attribute {
    Attribute {
        sensitive: true,
        ..attr(
            string_map(),
            Optional,
            "Values of the profile's variables, as `--var NAME=VALUE` gives them (over the defaults and the cluster file). The environment's `STRATA_VAR_<NAME>` is not read: pass secrets from Terraform variables.",
        )
    }
}

/// What a rendered profile or cluster gives.
fn stack() -> Vec<(&'static str, Attribute)> {
    vec![
        (
            "version",
            attr(string(), Computed, "The profile's version."),
        ),
        (
            "cloud",
            attr(string(), Computed, "The cloud the profile is for."),
        ),
        (
            "type",
            attr(string(), Computed, "`infra`, `add-on` or `full`."),
        ),
        (
            "tags",
            attr(
                string_map(),
                Computed,
                "The tags by key (a bare tag has an empty value).",
            ),
        ),
        (
            "layers",
            attr(
                AttributeType::List(Box::new(layer())),
                Computed,
                "The layers in order, each from its lock: type, name, pack, registry, requested, version, commit (null for a folder registry), digest, values (the values YAML), files (rendered file name to content) and charts (name, repo, version, namespace, release, values: that chart's rendered values). Sensitive values show as `(sensitive)`.",
            ),
        ),
    ]
}

pub fn profile() -> Schema {
    let mut attributes = vec![
        ("name", attr(string(), Required, "The profile's name.")),
        (
            "at",
            attr(
                string(),
                Optional,
                "Read the catalog as of this tag or commit (e.g. `profiles/aws-prod/v1.2.0`); default: the working tree.",
            ),
        ),
        ("variables", variables()),
        (
            "render_manifests",
            attr(
                AttributeType::Bool,
                Optional,
                "Also render every layer to the Kubernetes objects it runs (`manifests`), charts through the `helm` program (3.8 or newer, on PATH or in `STRATA_HELM`), as `strata render --manifests` does. Default: false.",
            ),
        ),
        (
            "manifests",
            attr(
                AttributeType::List(Box::new(object(&[
                    ("layer", string()),
                    ("chart", string()),
                    ("api_version", string()),
                    ("kind", string()),
                    ("namespace", string()),
                    ("name", string()),
                    ("source", string()),
                    ("yaml", string()),
                ]))),
                Computed,
                "With `render_manifests = true`: every Kubernetes object the layers run, in order: layer, chart (null for a pack's manifest file), api_version, kind, namespace (null when the object names none), name, source (`<layer>/<chart>/<template>`) and yaml (sensitive lines as `(sensitive)`). Null otherwise.",
            ),
        ),
    ];
    attributes.extend(stack());
    schema(
        "A profile rendered from its lock, as `strata render` renders it. A lock that is missing or stale is an error; nothing is re-resolved.",
        attributes,
    )
}

pub fn cluster() -> Schema {
    let mut attributes = vec![
        (
            "name",
            attr(
                string(),
                Required,
                "The cluster's name (`clusters/<name>/cluster.toml`).",
            ),
        ),
        ("variables", variables()),
        (
            "profile",
            attr(string(), Computed, "The cluster's infra (or full) profile."),
        ),
    ];
    attributes.extend(stack());
    attributes.retain(|(k, _)| *k != "version");
    attributes.push((
        "version",
        attr(
            string(),
            Computed,
            "The pinned release of the profile (null: the working tree).",
        ),
    ));
    attributes.push((
        "addons",
        attr(
            AttributeType::List(Box::new(object(&[
                ("profile", string()),
                ("version", string()),
            ]))),
            Computed,
            "The add-on profiles the cluster applies, each with its pinned release.",
        ),
    ));
    schema(
        "A cluster: its pinned profile releases, rendered from their tags' locks with its variables bound, as `strata cluster render` renders it.",
        attributes,
    )
}

pub fn export() -> Schema {
    schema(
        "A profile or a cluster exported as `strata export --to TARGET` writes it, from the lock only.",
        vec![
            (
                "profile",
                attr(string(), Optional, "The profile to export (or `cluster`)."),
            ),
            (
                "cluster",
                attr(string(), Optional, "The cluster to export (or `profile`)."),
            ),
            (
                "to",
                attr(
                    string(),
                    Required,
                    "`palette`, `terraform`, `flux`, `argocd` or `helmfile`.",
                ),
            ),
            ("variables", variables()),
            (
                "allow_plaintext",
                attr(
                    AttributeType::Bool,
                    Optional,
                    "Write sensitive values in clear where the target cannot reference them (Argo CD, helmfile).",
                ),
            ),
            (
                "files",
                attr(
                    string_map(),
                    Computed,
                    "The exported files: path to content.",
                ),
            ),
            (
                "skipped",
                attr(
                    AttributeType::List(Box::new(object(&[
                        ("layer", string()),
                        ("reason", string()),
                    ]))),
                    Computed,
                    "The layers with nothing to deliver to the target, and why.",
                ),
            ),
            (
                "notes",
                attr(
                    AttributeType::List(Box::new(string())),
                    Computed,
                    "What the export needs from you (a Secret, a variable).",
                ),
            ),
        ],
    )
}
