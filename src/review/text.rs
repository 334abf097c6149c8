//! `strata diff` as text: a line per changed profile and layer, value changes with their
//! origin, and the rendered files' unified diffs.

use super::diff::Diff;
use super::layers::layer_lines;
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
                layer_lines(&mut s, l, "  ");
                for o in p.objects.iter().filter(|o| o.layer == l.name) {
                    super::objects::text_lines(&mut s, o, "    ");
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
