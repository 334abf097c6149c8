//! `strata diff --format markdown`: a pull-request comment, a summary table first, then
//! each profile's value changes and file diffs folded under `<details>`.

use super::diff::{Diff, FileDiff, Status, ValueChange, show_release, show_value};
use crate::output::plural;

impl Diff {
    /// A pull-request comment: a summary table, then the details folded.
    pub fn markdown(&self, max_diff_lines: usize) -> String {
        let mut s = String::from("### strata: profile changes\n\n");
        if self.profiles.is_empty() {
            s.push_str(&format!(
                "No profile changes between `{}` and `{}`.\n",
                self.base, self.head
            ));
            s.push_str(&super::clusters::markdown(&self.clusters));
            return s;
        }
        let count = |st: Status| self.profiles.iter().filter(|p| p.status == st).count();
        let invalid = match count(Status::Invalid) {
            0 => String::new(),
            n => format!(", {n} with problems"),
        };
        s.push_str(&format!(
            "Comparing `{}` with `{}`: {} changed, {} added, {} removed, {} unchanged{invalid}.\n\n",
            self.base,
            self.head,
            count(Status::Changed),
            count(Status::Added),
            count(Status::Removed),
            self.unchanged
        ));
        s.push_str("| profile | layer | old | new | change |\n|---|---|---|---|---|\n");
        for p in &self.profiles {
            if p.layers.is_empty() {
                s.push_str(&format!("| `{}` | | | | {} |\n", p.name, p.status));
            }
            for l in &p.layers {
                let mut kinds: Vec<&str> = l.kinds.iter().map(|k| k.as_str()).collect();
                if l.status != Status::Changed {
                    kinds.insert(0, l.status.as_str());
                }
                if !l.values.is_empty() {
                    kinds.push("values");
                }
                s.push_str(&format!(
                    "| `{}` | {} | {} | {} | {} |\n",
                    p.name,
                    l.name,
                    show_release(&l.old),
                    show_release(&l.new),
                    kinds.join(", ")
                ));
            }
        }
        for p in &self.profiles {
            let values: Vec<(&str, &ValueChange)> = p
                .layers
                .iter()
                .flat_map(|l| l.values.iter().map(move |v| (l.name.as_str(), v)))
                .collect();
            let files: Vec<&FileDiff> = p.layers.iter().flat_map(|l| l.files.iter()).collect();
            if values.is_empty() && files.is_empty() && p.notes.is_empty() {
                continue;
            }
            s.push_str(&format!(
                "\n<details><summary><code>{}</code>: {}, {}</summary>\n\n",
                p.name,
                plural(values.len(), "value change"),
                plural(files.len(), "rendered file")
            ));
            for n in &p.notes {
                s.push_str(&format!("```text\n{n}\n```\n\n"));
            }
            if !values.is_empty() {
                s.push_str("| layer | parameter | old | new | from |\n|---|---|---|---|---|\n");
                for (layer, v) in values {
                    let origin = v.origin();
                    s.push_str(&format!(
                        "| {layer} | `{}` | `{}` | `{}` | {origin} |\n",
                        v.name,
                        show_value(&v.old),
                        show_value(&v.new)
                    ));
                }
                s.push('\n');
            }
            for f in files {
                let lines: Vec<&str> = f.diff.lines().collect();
                s.push_str(&format!("`{}` ({})\n\n```diff\n", f.file, f.status));
                for line in lines.iter().take(max_diff_lines) {
                    s.push_str(line);
                    s.push('\n');
                }
                s.push_str("```\n");
                if lines.len() > max_diff_lines {
                    s.push_str(&format!(
                        "\n_{} more lines not shown; run `strata diff` locally for all of it._\n",
                        lines.len() - max_diff_lines
                    ));
                }
                s.push('\n');
            }
            s.push_str("</details>\n");
        }
        s.push_str(&super::clusters::markdown(&self.clusters));
        s
    }
}
