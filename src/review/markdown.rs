//! `strata diff --format markdown`: a pull-request comment. A summary table first, with
//! the same layer change across profiles on one row ("calico 3.27.1 -> 3.27.2, 140
//! profiles"), then the value changes and file diffs folded under `<details>`, one section
//! per distinct change. The comment is capped at [`COMMENT_LIMIT`] characters (GitHub takes
//! at most 65,536): what does not fit is named, with how to see all of it.

use std::collections::HashMap;

use super::diff::{Diff, ProfileDiff};
use super::escape::{code, fence, fenced_diff, html, text};
use super::layers::{FileDiff, ValueChange, show_release, show_value};
use super::status::Status;
use crate::output::plural;

/// The most characters of a comment.
pub const COMMENT_LIMIT: usize = 60_000;

/// Room kept for the closing note that says what was cut.
const NOTE_ROOM: usize = 600;

/// Profiles named in a details summary before "and N more" (the table names them all).
const NAMED_IN_SUMMARY: usize = 8;

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn code_list(names: &[&str]) -> String {
    names.iter().map(|n| code(n)).collect::<Vec<_>>().join(", ")
}

/// One row of the summary: a layer change and every profile that has it.
struct Row<'a> {
    layer: String,
    old: String,
    new: String,
    change: String,
    profiles: Vec<&'a str>,
}

fn rows(profiles: &[ProfileDiff]) -> Vec<Row<'_>> {
    let mut rows: Vec<Row> = Vec::new();
    let mut at: HashMap<(String, String, String, String), usize> = HashMap::new();
    for p in profiles {
        let mut push = |layer: String, old: String, new: String, change: String| {
            let key = (layer.clone(), old.clone(), new.clone(), change.clone());
            match at.get(&key) {
                Some(&i) => rows[i].profiles.push(&p.name),
                None => {
                    at.insert(key, rows.len());
                    rows.push(Row {
                        layer,
                        old,
                        new,
                        change,
                        profiles: vec![&p.name],
                    });
                }
            }
        };
        if p.layers.is_empty() {
            push(
                String::new(),
                String::new(),
                String::new(),
                p.status.to_string(),
            );
        }
        for l in &p.layers {
            let mut kinds: Vec<&str> = l.kinds.iter().map(|k| k.as_str()).collect();
            if l.status != Status::Changed {
                kinds.insert(0, l.status.as_str());
            }
            if !l.values.is_empty() {
                kinds.push("values");
            }
            push(
                l.name.clone(),
                show_release(&l.old),
                show_release(&l.new),
                kinds.join(", "),
            );
        }
    }
    rows
}

/// A profile's folded details (notes, value changes, file diffs) without its name, so
/// that profiles with the same change share one section; `None` when there is nothing.
fn details_body(p: &ProfileDiff, max_diff_lines: usize) -> Option<(String, String)> {
    let values: Vec<(&str, &ValueChange)> = p
        .layers
        .iter()
        .flat_map(|l| l.values.iter().map(move |v| (l.name.as_str(), v)))
        .collect();
    let files: Vec<&FileDiff> = p.layers.iter().flat_map(|l| l.files.iter()).collect();
    if values.is_empty() && files.is_empty() && p.notes.is_empty() && p.objects.is_empty() {
        return None;
    }
    let mut counts = format!(
        "{}, {}",
        plural(values.len(), "value change"),
        plural(files.len(), "rendered file")
    );
    if !p.objects.is_empty() {
        counts.push_str(&format!(", {}", plural(p.objects.len(), "object")));
    }
    let mut s = String::new();
    for n in &p.notes {
        s.push_str(&fence("text", n));
        s.push('\n');
    }
    if !values.is_empty() {
        s.push_str("| layer | parameter | old | new | from |\n|---|---|---|---|---|\n");
        for (layer, v) in values {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                text(layer),
                code(&v.name),
                code(&show_value(&v.old)),
                code(&show_value(&v.new)),
                text(v.origin())
            ));
        }
        s.push('\n');
    }
    for f in files {
        s.push_str(&format!("{} ({})\n\n", code(&f.file), f.status));
        s.push_str(&fenced_diff(&f.diff, max_diff_lines, "strata diff"));
        s.push('\n');
    }
    s.push_str(&super::objects::markdown_details(
        &p.objects,
        max_diff_lines,
    ));
    Some((counts, s))
}

impl Diff {
    /// A pull-request comment of at most [`COMMENT_LIMIT`] characters.
    pub fn markdown(&self, max_diff_lines: usize) -> String {
        self.markdown_within(max_diff_lines, COMMENT_LIMIT)
    }

    fn markdown_within(&self, max_diff_lines: usize, limit: usize) -> String {
        let mut s = String::from("### strata: profile changes\n\n");
        let mut cut_rows = 0;
        if self.profiles.is_empty() {
            s.push_str(&format!(
                "No profile changes between {} and {}.\n",
                code(&self.base),
                code(&self.head)
            ));
        } else {
            let count = |st: Status| self.profiles.iter().filter(|p| p.status == st).count();
            let invalid = match count(Status::Invalid) {
                0 => String::new(),
                n => format!(", {n} with problems"),
            };
            s.push_str(&format!(
                "Comparing {} with {}: {} changed, {} added, {} removed, {} unchanged{invalid}.\n\n",
                code(&self.base),
                code(&self.head),
                count(Status::Changed),
                count(Status::Added),
                count(Status::Removed),
                self.unchanged
            ));
            let (table, cut) = self.summary_table(chars(&s), limit);
            s.push_str(&table);
            cut_rows += cut;
        }
        let (objects, cut) = self.objects_summary(limit.saturating_sub(chars(&s) + NOTE_ROOM));
        s.push_str(&objects);
        cut_rows += cut;
        s.push_str(&super::clusters::markdown(&self.clusters));
        let mut used = chars(&s);
        let mut left_out: Vec<&str> = Vec::new();
        let mut sections_left_out = 0;
        for (names, section) in self.folded(max_diff_lines) {
            if left_out.is_empty() && used + chars(&section) + NOTE_ROOM <= limit {
                used += chars(&section);
                s.push_str(&section);
            } else {
                sections_left_out += 1;
                left_out.extend(names);
            }
        }
        if cut_rows > 0 || sections_left_out > 0 {
            s.push_str(&self.cut_note(cut_rows, left_out.len(), limit));
        }
        s
    }

    /// The objects' counts per layer and kind, of profiles and clusters, within `room`.
    fn objects_summary(&self, room: usize) -> (String, usize) {
        let cluster_names: Vec<String> = self
            .clusters
            .iter()
            .map(|c| format!("cluster {}", c.name))
            .collect();
        let objects: Vec<(&str, &[super::objects::ObjectDiff])> = self
            .profiles
            .iter()
            .map(|p| (p.name.as_str(), p.objects.as_slice()))
            .chain(
                self.clusters
                    .iter()
                    .zip(&cluster_names)
                    .map(|(c, n)| (n.as_str(), c.objects.as_slice())),
            )
            .collect();
        super::objects::markdown_summary(&objects, room)
    }

    /// Every folded section: one per distinct profile body, then one per cluster whose
    /// objects differ; each with the names it is about.
    fn folded(&self, max_diff_lines: usize) -> Vec<(Vec<&str>, String)> {
        let mut out: Vec<(Vec<&str>, String)> = self
            .sections(max_diff_lines)
            .into_iter()
            .map(|(names, counts, body)| {
                let who = who(&names);
                let section =
                    format!("\n<details><summary>{who}: {counts}</summary>\n\n{body}</details>\n");
                (names, section)
            })
            .collect();
        for c in self.clusters.iter().filter(|c| !c.objects.is_empty()) {
            let section = format!(
                "\n<details><summary>cluster <code>{}</code>: {}</summary>\n\n{}</details>\n",
                html(&c.name),
                plural(c.objects.len(), "object"),
                super::objects::markdown_details(&c.objects, max_diff_lines)
            );
            out.push((vec![c.name.as_str()], section));
        }
        out
    }

    /// The summary table, one row per distinct layer change, cut to fit the comment after
    /// `used` characters; and how many rows were cut.
    fn summary_table(&self, used: usize, limit: usize) -> (String, usize) {
        let mut cut_rows = 0;
        let mut table =
            String::from("| layer | old | new | change | profiles |\n|---|---|---|---|---|\n");
        let all_rows = rows(&self.profiles);
        for (i, r) in all_rows.iter().enumerate() {
            let names = match r.profiles.len() {
                1 => code_list(&r.profiles),
                n => format!("{n}: {}", code_list(&r.profiles)),
            };
            let row = format!(
                "| {} | {} | {} | {} | {names} |\n",
                text(&r.layer),
                text(&r.old),
                text(&r.new),
                text(&r.change)
            );
            if used + chars(&table) + chars(&row) + NOTE_ROOM > limit {
                cut_rows = all_rows.len() - i;
                break;
            }
            table.push_str(&row);
        }
        (table, cut_rows)
    }

    /// One detail section per distinct body, in the order of its first profile: (the
    /// profiles that share it, its counts, the body).
    fn sections(&self, max_diff_lines: usize) -> Vec<(Vec<&str>, String, String)> {
        // One section per distinct body, in the order of its first profile.
        let mut sections: Vec<(Vec<&str>, String, String)> = Vec::new();
        let mut by_body: HashMap<String, usize> = HashMap::new();
        for p in &self.profiles {
            let Some((counts, body)) = details_body(p, max_diff_lines) else {
                continue;
            };
            match by_body.get(&body) {
                Some(&i) => sections[i].0.push(&p.name),
                None => {
                    by_body.insert(body.clone(), sections.len());
                    sections.push((vec![&p.name], counts, body));
                }
            }
        }
        sections
    }

    /// The closing note of a cut comment: what was left out, and how to see it all.
    fn cut_note(&self, cut_rows: usize, left_out: usize, limit: usize) -> String {
        let mut what = Vec::new();
        if cut_rows > 0 {
            what.push(plural(cut_rows, "summary row"));
        }
        if left_out > 0 {
            what.push(format!("the details of {}", plural(left_out, "profile")));
        }
        let mut note = format!(
            "\n_This comment stops at {} characters: {} not shown. Run {} locally, or read the JSON (`strata diff --format json`) for all of it._\n",
            COMMENT_LIMIT.min(limit),
            what.join(" and "),
            code(&format!(
                "strata diff --base {} --head {}",
                self.base, self.head
            ))
        );
        // The room kept for the note holds it, with the base and head named.
        if chars(&note) > NOTE_ROOM {
            note = format!(
                "\n_This comment is cut: {} not shown. Run `strata diff` locally, or read `strata diff --format json`, for all of it._\n",
                what.join(" and ")
            );
        }
        note
    }
}

/// The profiles a detail section is about, as its summary names them.
fn who(names: &[&str]) -> String {
    if names.len() <= NAMED_IN_SUMMARY {
        names
            .iter()
            .map(|n| format!("<code>{}</code>", html(n)))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        let shown: Vec<String> = names[..NAMED_IN_SUMMARY]
            .iter()
            .map(|n| format!("<code>{}</code>", html(n)))
            .collect();
        format!(
            "{} and {} more ({} profiles)",
            shown.join(", "),
            names.len() - NAMED_IN_SUMMARY,
            names.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::layers::{LayerDiff, Release};
    use super::super::status::Kind;
    use super::*;

    fn changed(name: &str, old: &str, new: &str) -> ProfileDiff {
        let release = |v: &str| Release {
            pack: "calico".into(),
            registry: "public".into(),
            requested: "3.x".into(),
            version: crate::model::version::Version::parse(v).unwrap(),
            signer: None,
        };
        ProfileDiff {
            objects: Vec::new(),
            name: name.into(),
            status: Status::Changed,
            notes: Vec::new(),
            layers: vec![LayerDiff {
                name: "network".into(),
                status: Status::Changed,
                old: Some(release(old)),
                new: Some(release(new)),
                kinds: vec![Kind::Patch],
                values: Vec::new(),
                files: vec![FileDiff {
                    file: "network/values.yaml".into(),
                    status: Status::Changed,
                    diff: format!(
                        "--- a/network/values.yaml\n+++ b/network/values.yaml\n-{name}: {old}\n+{name}: {new}\n"
                    ),
                }],
            }],
        }
    }

    #[test]
    fn a_capped_comment_says_what_it_left_out() {
        let diff = Diff {
            schema_version: 1,
            base: "main".into(),
            head: "HEAD".into(),
            profiles: (0..40)
                .map(|i| changed(&format!("p{i:02}"), "3.27.1", "3.27.2"))
                .collect(),
            unchanged: 0,
            clusters: Vec::new(),
        };
        let all = diff.markdown_within(200, 1_000_000);
        // One summary row names all 40; each profile's diff differs, so 40 sections.
        assert!(
            all.contains("| network | calico 3.27.1 | calico 3.27.2 | patch | 40: `p00`, `p01`,"),
            "{all}"
        );
        assert_eq!(all.matches("<details>").count(), 40);
        let capped = diff.markdown_within(200, 4_000);
        assert!(
            capped.chars().count() <= 4_000,
            "{}",
            capped.chars().count()
        );
        let shown = capped.matches("<details>").count();
        assert!(shown > 0 && shown < 40, "{shown}");
        assert!(capped.ends_with(&format!(
            "\n_This comment stops at 4000 characters: the details of {} not shown. Run `strata diff --base main --head HEAD` locally, or read the JSON (`strata diff --format json`) for all of it._\n",
            plural(40 - shown, "profile")
        )), "{capped}");
        // Every profile is still named, in the summary.
        for i in 0..40 {
            assert!(capped.contains(&format!("`p{i:02}`")));
        }
    }
}
