//! `strata explain PROFILE LAYER`: why a layer has its release, and where each of its
//! effective values came from.

use serde::Serialize;

use crate::check::check_with;
use crate::context::Context;
use crate::diagnostic::suggest;
use crate::error::{Error, Result};
use crate::render::values::Origin;
use crate::resolve::{Preferences, gather, unfit, why_not};

/// Explain a layer: its spec, the candidate releases and why newer ones were not chosen,
/// and the origin of every effective value
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile name
    pub profile: String,
    /// Layer name (core layers are named after their type)
    pub layer: String,
}

#[derive(Serialize)]
struct Explanation {
    profile: String,
    layer: String,
    pack: String,
    registry: String,
    requested: String,
    version: String,
    locked: bool,
    candidates: Vec<Candidate>,
    values: Vec<ValueOut>,
}

#[derive(Serialize)]
struct Candidate {
    version: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize)]
struct ValueOut {
    name: String,
    value: toml::Value,
    origin: Origin,
}

pub fn run(args: Args, ctx: &Context) -> Result<()> {
    let catalog = ctx.catalog()?;
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

    let (registry, releases) = gather(&catalog, layer)?.map_err(Error::Catalog)?;
    let mut candidates = Vec::new();
    for r in &releases {
        let status_reason = if r.version == chosen.release.version {
            ("chosen", locked.then(|| "the locked release".to_string()))
        } else if r.version < chosen.release.version {
            ("older", None)
        } else {
            let pack = registry.pack(layer.pack.get_ref(), r)?;
            let unfit = unfit(&catalog, profile, layer, &pack)?;
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
    let explanation = Explanation {
        profile: profile.name.clone(),
        layer: layer.name.clone(),
        pack: chosen.pack.name.clone(),
        registry: chosen.registry.name.clone(),
        requested: layer.requested.get_ref().clone(),
        version: chosen.pack.version.to_string(),
        locked,
        candidates,
        values: output
            .values
            .iter()
            .map(|(k, e)| ValueOut {
                name: k.clone(),
                value: e.value.clone(),
                origin: e.origin.clone(),
            })
            .collect(),
    };
    if ctx.out.json() {
        ctx.out.print_json(&explanation);
    } else {
        ctx.out.print(&text(&explanation));
    }
    Ok(())
}

fn text(e: &Explanation) -> String {
    let mut s = format!(
        "{} {}: {} {} from registry `{}`\nrequested: {}\n",
        e.profile, e.layer, e.pack, e.version, e.registry, e.requested
    );
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
        .map(|v| [v.name.clone(), v.value.to_string(), v.origin.to_string()])
        .collect();
    for line in crate::output::format_table(["NAME", "VALUE", "FROM"], &rows).lines() {
        s.push_str("  ");
        s.push_str(line);
        s.push('\n');
    }
    s
}
