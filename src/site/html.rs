//! The site's pages: the templates in `templates/site/` (minijinja) over the records of
//! [`super::Site`]. Every value a template prints is escaped for HTML (text and quoted
//! attributes alike), with the characters that reorder or hide text (bidi controls, other
//! control characters) shown as `[U+XXXX]`; links are only ever the site's own pages.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};
use serde::Serialize;

use super::{LayerRecord, ProfilePage, Site, slug};
use crate::error::{Error, Result};

const TEMPLATES: [(&str, &str); 5] = [
    (
        "base.html.j2",
        include_str!("../../templates/site/base.html.j2"),
    ),
    (
        "index.html.j2",
        include_str!("../../templates/site/index.html.j2"),
    ),
    (
        "profile.html.j2",
        include_str!("../../templates/site/profile.html.j2"),
    ),
    (
        "cluster.html.j2",
        include_str!("../../templates/site/cluster.html.j2"),
    ),
    (
        "pack.html.j2",
        include_str!("../../templates/site/pack.html.j2"),
    ),
];

/// Every page of the site: its path relative to the site's root, and its HTML.
pub fn pages(site: &Site) -> Result<Vec<(String, String)>> {
    let env = environment()?;
    let search: BTreeMap<&str, String> = site
        .profiles
        .iter()
        .map(|p| (p.name.as_str(), search_text(p)))
        .collect();
    let mut out = Vec::new();
    fn v<T: Serialize>(value: T) -> Value {
        Value::from(minijinja::value::Serde(value))
    }
    let site_value = v(site);
    let index = context! {
        site => site_value.clone(),
        root => "",
        search => v(&search),
        clouds => v(distinct(site.profiles.iter().map(|p| p.cloud.as_str()))),
        types => v(distinct(site.profiles.iter().map(|p| p.ty.as_str()))),
        tags => v(distinct(site.profiles.iter().flat_map(|p| p.tags.iter().map(String::as_str)))),
        matrix => v(matrix(site)),
    };
    out.push((
        "index.html".to_string(),
        render(&env, "index.html.j2", index)?,
    ));
    for p in &site.profiles {
        let ctx = context! {
            site => site_value.clone(),
            root => root_of(&p.page),
            profile => v(p),
            stack => v(stack(&p.layers)),
        };
        out.push((p.page.clone(), render(&env, "profile.html.j2", ctx)?));
    }
    for c in &site.clusters {
        let ctx =
            context! { site => site_value.clone(), root => root_of(&c.page), cluster => v(c) };
        out.push((c.page.clone(), render(&env, "cluster.html.j2", ctx)?));
    }
    for k in &site.packs {
        let ctx = context! { site => site_value.clone(), root => root_of(&k.page), pack => v(k) };
        out.push((k.page.clone(), render(&env, "pack.html.j2", ctx)?));
    }
    Ok(out)
}

fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_formatter(|out, state, value| {
        match value.as_str() {
            // A path, version or digest: nothing in it means anything to HTML.
            Some(s) if s.chars().all(plain) => out.write_str(s).map_err(Into::into),
            Some(s) => minijinja::escape_formatter(out, state, &Value::from(visible(s))),
            None => minijinja::escape_formatter(out, state, value),
        }
    });
    env.add_filter("anchor", |s: String| slug(&s));
    for (name, text) in TEMPLATES {
        env.add_template(name, text)
            .map_err(|e| Error::Internal(format!("site template `{name}`: {e}")))?;
    }
    Ok(env)
}

fn render(env: &Environment, name: &str, ctx: Value) -> Result<String> {
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::Internal(format!("site template `{name}`: {e:#}")))
}

/// A character that is the same in HTML text and in a quoted attribute.
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._-/:#+@=,~ ".contains(c)
}

/// `s` with every character that reorders, hides or controls text shown as `[U+XXXX]`.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let hidden = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
        if hidden {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `../` once per folder of `page`.
fn root_of(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    items
        .filter(|s| !s.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// What the search box matches a profile by, lower-cased.
fn search_text(p: &ProfilePage) -> String {
    let mut words = vec![
        p.name.as_str(),
        p.description.as_str(),
        p.cloud.as_str(),
        p.ty.as_str(),
    ];
    words.extend(p.tags.iter().map(String::as_str));
    words.extend(p.layers.iter().map(|l| l.pack.as_str()));
    words.join(" ").to_lowercase()
}

#[derive(Serialize)]
struct Row<'a> {
    profile: &'a ProfilePage,
    cells: Vec<Option<&'a LayerRecord>>,
}

/// The profiles x layers matrix: one cell per layer name of the catalog.
fn matrix(site: &Site) -> Vec<Row<'_>> {
    site.profiles
        .iter()
        .map(|p| Row {
            profile: p,
            cells: site
                .layer_columns
                .iter()
                .map(|c| p.layers.iter().find(|l| &l.name == c))
                .collect(),
        })
        .collect()
}

#[derive(Serialize)]
struct Stack<'a> {
    height: usize,
    block: usize,
    blocks: Vec<Block<'a>>,
}

#[derive(Serialize)]
struct Block<'a> {
    y: usize,
    anchor: String,
    name: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    pack: &'a str,
    version: &'a str,
    registry: &'a str,
}

/// The stack picture: one block per layer, the first (the OS) at the bottom.
fn stack(layers: &[LayerRecord]) -> Stack<'_> {
    const BLOCK: usize = 52;
    const GAP: usize = 4;
    let n = layers.len();
    Stack {
        height: n * (BLOCK + GAP),
        block: BLOCK,
        blocks: layers
            .iter()
            .enumerate()
            .map(|(i, l)| Block {
                y: (n - 1 - i) * (BLOCK + GAP),
                anchor: slug(&l.name),
                name: &l.name,
                ty: &l.ty,
                pack: &l.pack,
                version: &l.version,
                registry: &l.registry,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hidden_characters_are_shown() {
        assert_eq!(
            super::visible("abc\u{202e}fed\u{7}"),
            "abc[U+202E]fed[U+0007]"
        );
        assert_eq!(super::visible("line\nnext"), "line\nnext");
        assert_eq!(super::root_of("packs/r/p.html"), "../../");
        assert_eq!(super::root_of("index.html"), "");
    }
}
