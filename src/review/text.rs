//! `strata diff` as text: a line per changed profile and layer, value changes with their
//! origin, and the rendered files' unified diffs.

use super::diff::{Diff, show_release, show_value};
use crate::output::plural;

impl Diff {
    pub fn text(&self) -> String {
        let mut s = String::new();
        if self.is_empty() {
            s.push_str(&format!(
                "no changes between {} and {}\n",
                self.base, self.head
            ));
            return s;
        }
        for p in &self.profiles {
            s.push_str(&format!("{} {}\n", p.status, p.name));
            for n in &p.notes {
                s.push_str(&format!("  note: {n}\n"));
            }
            for l in &p.layers {
                let kinds = if l.kinds.is_empty() {
                    String::new()
                } else {
                    let kinds: Vec<&str> = l.kinds.iter().map(|k| k.as_str()).collect();
                    format!(" ({})", kinds.join(", "))
                };
                s.push_str(&format!(
                    "  {} {}: {} -> {}{kinds}\n",
                    l.status,
                    l.name,
                    show_release(&l.old),
                    show_release(&l.new)
                ));
                for v in &l.values {
                    let origin = v.origin();
                    s.push_str(&format!(
                        "    {} {} -> {} ({origin})\n",
                        v.name,
                        show_value(&v.old),
                        show_value(&v.new)
                    ));
                }
                for f in &l.files {
                    for line in f.diff.lines() {
                        s.push_str("    ");
                        s.push_str(line);
                        s.push('\n');
                    }
                }
            }
        }
        s.push_str(&super::clusters::text(&self.clusters));
        if self.unchanged > 0 {
            s.push_str(&format!(
                "{} unchanged\n",
                plural(self.unchanged, "profile")
            ));
        }
        s
    }
}
