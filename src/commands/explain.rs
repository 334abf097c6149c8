//! `strata explain PROFILE LAYER`: why a layer has its release, and where each of its
//! effective values came from.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::check::{Checked, check_with};
use crate::context::Context;
use crate::diagnostic::suggest;
use crate::error::{Error, Result};
use crate::profile::{Layer, Profile};
use crate::render::effective::Origin;
use crate::resolve::{Preferences, gather, unfit, why_not};

/// Explain a layer: its spec, the candidate releases and why newer ones were not chosen,
/// and the origin of every effective value
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile name
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profile: String,
    /// Layer name (core layers are named after their type)
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(crate::completion::layers))]
    pub layer: String,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Explanation {
    profile: String,
    #[serde(skip)]
    profile_dir: String,
    layer: String,
    pack: String,
    registry: String,
    requested: String,
    version: String,
    locked: bool,
    /// The files and lines that shaped the layer: where its pack, its version and its
    /// header are written (the profile, or a profile it extends).
    defined: Vec<String>,
    candidates: Vec<Candidate>,
    values: Vec<ValueOut>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Candidate {
    version: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ValueOut {
    name: String,
    /// The value; `null` for a sensitive variable.
    #[schemars(with = "Option<serde_json::Value>")]
    value: Option<toml::Value>,
    origin: Origin,
    /// The variable the value is, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    var: Option<crate::render::effective::VarUse>,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog_locked()?;
    let names = [args.profile.clone()];
    let (entry, parsed) = catalog
        .load_profiles(&names)?
        .into_iter()
        .next()
        .expect("named profile");
    let profile = parsed.map_err(Error::Catalog)?;
    let Some(index) = profile.layers.iter().position(|l| l.name == args.layer) else {
        return Err(Error::usage_hint(
            format!("profile `{}` has no layer `{}`", profile.name, args.layer),
            suggest(&args.layer, profile.layers.iter().map(|l| l.name.as_str())),
        ));
    };
    // The lock, when there is a readable one, decides as `strata lock` would.
    let lock = crate::lock::current::readable_lock(&catalog, &entry, &profile.name)?;
    let prefs = Preferences {
        lock: lock.as_ref(),
        ..Preferences::default()
    };
    let checked = check_with(&catalog, profile, &prefs)?.map_err(Error::Catalog)?;
    let chosen = &checked.layers[index];
    let output = &checked.outputs[index];
    let profile = &checked.profile;
    let layer = &profile.layers[index];
    let locked = lock
        .as_ref()
        .and_then(|l| l.layer(&layer.name))
        .is_some_and(|l| l.version == chosen.pack.version && l.pack == chosen.pack.name);

    let candidates = candidates(&catalog, &checked, index, locked)?;
    let explanation = Explanation {
        profile: profile.name.clone(),
        profile_dir: profile.dir.clone(),
        layer: layer.name.clone(),
        pack: chosen.pack.name.clone(),
        registry: chosen.registry.name.clone(),
        requested: layer.requested.get_ref().clone(),
        version: chosen.pack.version.to_string(),
        locked,
        defined: defined_at(profile, layer),
        candidates,
        values: output
            .values
            .iter()
            .map(|(k, e)| ValueOut {
                name: k.clone(),
                value: (!e.is_sensitive()).then(|| e.value.clone()),
                origin: e.origin.clone(),
                var: e.var.clone(),
            })
            .collect(),
    };
    if ctx.out.json() {
        ctx.out.print_json_doc(&explanation);
    } else {
        ctx.out.print(&text(&explanation));
    }
    Ok(())
}

/// Every release of the layer's train, newest first, with why it was or was not chosen.
fn candidates(
    catalog: &Catalog,
    checked: &Checked,
    index: usize,
    locked: bool,
) -> Result<Vec<Candidate>> {
    let chosen = &checked.layers[index];
    let profile = &checked.profile;
    let layer = &profile.layers[index];
    let (registry, releases) = gather(catalog, layer)?.map_err(Error::Catalog)?;
    let mut candidates = Vec::new();
    for r in &releases {
        let status_reason = if r.version == chosen.release.version {
            ("chosen", locked.then(|| "the locked release".to_string()))
        } else if r.version < chosen.release.version {
            ("older", None)
        } else {
            let pack = registry.pack(layer.pack.get_ref(), r)?;
            let unfit = unfit(catalog, profile, layer, &pack)?;
            if let Some(d) = unfit.first() {
                ("excluded", Some(d.message.clone()))
            } else if let Some(why) = why_not(profile, &checked.layers, index, &pack) {
                ("excluded", Some(why))
            } else {
                (
                    "not chosen",
                    Some(format!(
                        "the lock keeps {}; `strata update --pack {}` moves to the newest",
                        chosen.pack.version, chosen.pack.name
                    )),
                )
            }
        };
        candidates.push(Candidate {
            version: r.version.to_string(),
            status: status_reason.0,
            reason: status_reason.1,
        });
    }
    Ok(candidates)
}

/// Where the layer is defined: one place per file, bases first.
fn defined_at(profile: &Profile, layer: &Layer) -> Vec<String> {
    let at = |s: &crate::diagnostic::Source, pos: usize| {
        format!(
            "{}:{}",
            s.name,
            s.text[..pos.min(s.text.len())].matches('\n').count() + 1
        )
    };
    let mut d = vec![
        at(&layer.pack_src, layer.pack.span().start),
        at(&layer.requested_src, layer.requested.span().start),
        at(&layer.source, layer.span.start),
    ];
    // One place per file, bases first.
    let mut files: Vec<String> = Vec::new();
    d.sort();
    for place in d {
        let file = place
            .rsplit_once(':')
            .map_or(place.as_str(), |(f, _)| f)
            .to_string();
        if !files
            .iter()
            .any(|f| f.rsplit_once(':').is_some_and(|(x, _)| x == file))
        {
            files.push(place);
        }
    }
    files.sort_by_key(|f| f.starts_with(&format!("{}/", profile.dir)));
    files
}

fn text(e: &Explanation) -> String {
    let mut s = format!(
        "{} {}: {} {} from registry `{}`\nrequested: {}\n",
        e.profile, e.layer, e.pack, e.version, e.registry, e.requested
    );
    if e.defined.len() > 1
        || e.defined
            .iter()
            .any(|d| !d.starts_with(&format!("{}/", e.profile_dir)))
    {
        s.push_str(&format!("defined:   {}\n", e.defined.join(", ")));
    }
    s.push_str("\ncandidates (newest first):\n");
    let older = e.candidates.iter().filter(|c| c.status == "older").count();
    for c in e.candidates.iter().filter(|c| c.status != "older") {
        match &c.reason {
            Some(r) => s.push_str(&format!("  {:<12} {}: {r}\n", c.version, c.status)),
            None => s.push_str(&format!("  {:<12} {}\n", c.version, c.status)),
        }
    }
    if older > 0 {
        s.push_str(&format!(
            "  ({} also {})\n",
            crate::output::plural(older, "older release"),
            if older == 1 { "matches" } else { "match" }
        ));
    }
    s.push_str("\nvalues:\n");
    let rows: Vec<[String; 3]> = e
        .values
        .iter()
        .map(|v| {
            let value = crate::render::effective::explained(v.var.as_ref(), v.value.as_ref());
            let from = match &v.var {
                Some(var) => match &var.bound {
                    Some(b) => format!("{}, bound at {b}", v.origin),
                    None => format!("{}, unbound", v.origin),
                },
                None => v.origin.to_string(),
            };
            [v.name.clone(), value, from]
        })
        .collect();
    for line in crate::output::format_table(["NAME", "VALUE", "FROM"], &rows).lines() {
        s.push_str("  ");
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// The JSON Schema of this command's `--format json` output.
pub(crate) fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![("explain", crate::schema::doc::<Explanation>())]
}
