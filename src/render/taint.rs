//! What a rendered file shows of a sensitive value, found by provenance rather than by
//! the value's text: a layer with sensitive inputs (a sensitive variable's value, a Palette
//! `${password}`) is rendered a second time with every such input replaced by a *decoy*
//! (different at every character, and of another length), and every line that differs
//! between the two renders depends on a secret. A template that cuts, upper-cases, measures
//! or compares the value therefore cannot slip it past the mask, as replacing its text would.
//!
//! A masked line keeps its key when the key is the same in both renders
//! (`token: (sensitive)`); otherwise the whole line is `(sensitive)`. A file whose line count
//! differs between the renders (a secret that drives a loop) is shown as one comment.

use std::collections::BTreeMap;

use toml::Value;

use crate::model::variable::{Binding, BindingOrigin, Bindings, Variable};

/// What is shown in place of a value or a line.
pub const SENSITIVE: &str = "(sensitive)";

/// A decoy for a secret: every character differs from the original's, and it is two
/// characters longer, so slices, lengths, case and comparisons all come out differently.
pub fn decoy_text(text: &str) -> String {
    let swapped: String = text
        .chars()
        .map(|c| if c == 'x' { 'y' } else { 'x' })
        .collect();
    format!("~{swapped}~")
}

/// A decoy of any value: text as [`decoy_text`], numbers moved, booleans flipped, and
/// arrays and tables decoyed through.
pub fn decoy_value(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(decoy_text(s)),
        Value::Integer(i) => Value::Integer(i.wrapping_add(1_000_003)),
        Value::Float(f) => Value::Float(f + 1_000_003.5),
        Value::Boolean(b) => Value::Boolean(!b),
        Value::Array(a) => Value::Array(a.iter().map(decoy_value).collect()),
        Value::Table(t) => {
            Value::Table(t.iter().map(|(k, v)| (k.clone(), decoy_value(v))).collect())
        }
        Value::Datetime(_) => Value::String(decoy_text(&value.to_string())),
    }
}

/// The bindings with every sensitive variable's value (but a reference an engine
/// resolves) replaced by its decoy.
pub fn decoy_bindings(variables: &BTreeMap<String, Variable>, bindings: &Bindings) -> Bindings {
    bindings
        .iter()
        .map(|(name, b)| {
            let secret = variables.get(name).is_some_and(|v| v.sensitive)
                && b.origin != BindingOrigin::Reference;
            let b = if secret {
                Binding {
                    value: decoy_value(&b.value),
                    origin: b.origin.clone(),
                }
            } else {
                b.clone()
            };
            (name.clone(), b)
        })
        .collect()
}

/// `real` as it may be shown, given the same file rendered with decoys: `None` when no line
/// depends on a secret.
pub fn masked(real: &str, decoy: &str) -> Option<String> {
    if real == decoy {
        return None;
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (real.lines().collect(), decoy.lines().collect());
    if a.len() != b.len() {
        return Some(whole());
    }
    let mut out = String::with_capacity(real.len());
    for (x, y) in a.iter().zip(&b) {
        if x == y {
            out.push_str(x);
        } else {
            out.push_str(&mask_line(x, y));
        }
        out.push('\n');
    }
    if !real.ends_with('\n') {
        out.pop();
    }
    Some(out)
}

/// A file shown as depending on a secret throughout.
pub fn whole() -> String {
    format!(
        "# {SENSITIVE}: this file depends on a sensitive value throughout (`--out DIR` writes it)\n"
    )
}

/// A line that depends on a secret: its indentation, a list item's `- `, and its key when
/// the key is the same in both renders, then `(sensitive)`.
fn mask_line(real: &str, decoy: &str) -> String {
    let indent = real.len() - real.trim_start().len();
    let (lead, body) = real[indent..]
        .strip_prefix("- ")
        .map_or(("", &real[indent..]), |rest| ("- ", rest));
    let key = key_of(body).filter(|k| {
        decoy
            .trim_start()
            .trim_start_matches("- ")
            .strip_prefix(*k)
            .is_some_and(|rest| rest.starts_with(':'))
    });
    match key {
        Some(k) => format!("{}{lead}{k}: {SENSITIVE}", &real[..indent]),
        None => format!("{}{lead}{SENSITIVE}", &real[..indent]),
    }
}

/// The key of a `key: value` line (a plain or quoted key without `#`).
fn key_of(body: &str) -> Option<&str> {
    let colon = body
        .find(": ")
        .or_else(|| body.strip_suffix(':').map(str::len))?;
    let key = &body[..colon];
    (!key.is_empty() && !key.contains('#') && !key.contains('{')).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoys_differ_everywhere_and_in_length() {
        let d = decoy_text("tok-abc");
        assert_eq!(d, "~xxxxxxx~");
        assert_eq!(decoy_text("xx"), "~yy~");
        assert_ne!(d.len(), "tok-abc".len());
    }

    #[test]
    fn lines_that_differ_are_masked_keeping_same_keys() {
        let real = "name: plain\ntail: \"abc\"\n- \"secret\"\n{{weird}}\n";
        let decoy = "name: plain\ntail: \"xyz\"\n- \"xxxxxx\"\n{{other}}\n";
        assert_eq!(
            masked(real, decoy).unwrap(),
            "name: plain\ntail: (sensitive)\n- (sensitive)\n(sensitive)\n"
        );
        // A key made of the secret is not kept.
        assert_eq!(masked("abc: 1\n", "xyz: 1\n").unwrap(), "(sensitive)\n");
        assert_eq!(masked("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            masked("a\n", "a\nb\n").unwrap(),
            "# (sensitive): this file depends on a sensitive value throughout (`--out DIR` writes it)\n"
        );
    }
}
