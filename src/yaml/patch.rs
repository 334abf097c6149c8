//! The text is patched line by line for block-style YAML (what values files are written
//! in): a changed scalar is replaced on its line, a removed key loses its lines, a new key
//! is added at the end of its mapping, and a value that is not a block mapping in the text
//! (a flow collection, a scalar becoming a mapping) is written anew. The patched text is
//! parsed again and must equal the merged document; when it does not (YAML the line
//! patcher does not follow), the whole merged document is written out instead.

use yaml_rust2::Yaml;

use super::{emit, emit_document, key_of, key_text, parse};

/// The merged document written into the original text, keeping its comments where it can.
pub fn write(original_text: &str, original: &Yaml, merged: &Yaml) -> String {
    if original == merged {
        return original_text.to_string();
    }
    let lines: Vec<&str> = original_text.lines().collect();
    let mut edits = Vec::new();
    let ok = patch_mapping(&lines, 0, lines.len(), None, original, merged, &mut edits).is_some();
    if ok {
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        edits.sort_by_key(|e: &Edit| std::cmp::Reverse((e.start, e.end)));
        for e in edits {
            out.splice(e.start..e.end, e.lines);
        }
        let mut text = out.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        if parse(&text).is_ok_and(|y| y == *merged) {
            return text;
        }
    }
    emit_document(merged)
}

struct Edit {
    start: usize,
    end: usize,
    lines: Vec<String>,
}

/// A key of a block mapping in the text: its line, indentation, where its value ends (the
/// next line at its indentation or less, without the comments before it), and what follows
/// the colon on its line.
struct Block {
    key: String,
    line: usize,
    end: usize,
    inline: String,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !(t.is_empty() || t.starts_with('#') || t == "---" || t == "...")
}

/// `key: rest` at the start of a trimmed line.
fn split_key(t: &str) -> Option<(String, &str)> {
    if t.starts_with(['-', '?', '[', '{', '&', '*', '!', '|', '>', '%', '@', '`']) {
        return None;
    }
    if let Some(q) = t.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = t[1..].find(q)? + 1;
        let key = &t[..=end];
        let rest = t[end + 1..].strip_prefix(':')?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        let parsed = super::load(key).ok()?;
        return Some((key_text(parsed.first()?)?, rest.trim_start()));
    }
    let colon = t
        .match_indices(':')
        .find(|(i, _)| t[i + 1..].is_empty() || t[i + 1..].starts_with(' '))?
        .0;
    let key = t[..colon].trim_end();
    if key.is_empty() || key.contains(" #") {
        return None;
    }
    Some((key.to_string(), t[colon + 1..].trim_start()))
}

/// The keys of the block mapping on lines `start..end`, at indentation deeper than
/// `parent`; `None` when the lines are not a plain block mapping.
fn blocks(
    lines: &[&str],
    start: usize,
    end: usize,
    parent: Option<usize>,
) -> Option<(usize, Vec<Block>)> {
    let first = (start..end).find(|&i| is_content(lines[i]))?;
    let indent = indent_of(lines[first]);
    if parent.is_some_and(|p| indent <= p) {
        return None;
    }
    let mut out: Vec<Block> = Vec::new();
    let mut i = first;
    while i < end {
        let line = lines[i];
        if !is_content(line) {
            i += 1;
            continue;
        }
        if indent_of(line) != indent {
            return None;
        }
        let (key, rest) = split_key(line.trim_start())?;
        let inline = rest.to_string();
        // The value: deeper lines, and a block sequence at the key's own indentation.
        let mut j = i + 1;
        let mut last = i + 1;
        while j < end {
            let l = lines[j];
            if is_content(l) {
                let d = indent_of(l);
                let seq_here = d == indent && inline.is_empty() && l.trim_start().starts_with("- ")
                    || d == indent && inline.is_empty() && l.trim() == "-";
                if d <= indent && !seq_here {
                    break;
                }
                last = j + 1;
            }
            j += 1;
        }
        out.push(Block {
            key,
            line: i,
            end: last,
            inline,
        });
        i = j;
    }
    Some((indent, out))
}

/// A key and its value as lines at `indent`.
fn emit_entry(key: &str, value: &Yaml, indent: usize, comment: Option<&str>) -> Vec<String> {
    let pad = " ".repeat(indent);
    let key = {
        let k = emit(&Yaml::String(key.to_string()));
        if k.contains('\n') {
            serde_json::to_string(key).unwrap_or_default()
        } else {
            k
        }
    };
    let inline = match value {
        Yaml::Hash(h) if !h.is_empty() => None,
        Yaml::Array(a) if !a.is_empty() => None,
        _ => Some(emit(value)),
    };
    match inline {
        Some(v) if !v.contains('\n') => {
            let c = comment.map(|c| format!(" {c}")).unwrap_or_default();
            vec![format!("{pad}{key}: {v}{c}")]
        }
        _ => {
            let mut out = vec![format!("{pad}{key}:")];
            for l in emit(value).lines() {
                out.push(format!("{pad}  {l}"));
            }
            out
        }
    }
}

/// The trailing comment of a key line whose value is a plain scalar (` # ...`).
fn trailing_comment(inline: &str) -> Option<&str> {
    if inline.starts_with(['"', '\'', '|', '>', '{', '[', '&', '*', '!']) {
        return None;
    }
    inline.find(" #").map(|i| inline[i + 1..].trim())
}

fn patch_mapping(
    lines: &[&str],
    start: usize,
    end: usize,
    parent: Option<usize>,
    old: &Yaml,
    new: &Yaml,
    edits: &mut Vec<Edit>,
) -> Option<()> {
    let (Yaml::Hash(oh), Yaml::Hash(nh)) = (old, new) else {
        return None;
    };
    let found = blocks(lines, start, end, parent);
    let (indent, list) = match found {
        Some(f) => f,
        None if oh.is_empty() => (parent.map_or(0, |p| p + 2), Vec::new()),
        None => return None,
    };
    if list.len() != oh.len() {
        return None;
    }
    for b in &list {
        let key = key_of(oh, &b.key)?;
        match nh.get(&key) {
            None => edits.push(Edit {
                start: b.line,
                end: b.end,
                lines: Vec::new(),
            }),
            Some(nv) => {
                let ov = oh.get(&key)?;
                if ov == nv {
                    continue;
                }
                let block_mapping = b.inline.is_empty() || b.inline.starts_with('#');
                if matches!((ov, nv), (Yaml::Hash(o), Yaml::Hash(_)) if !o.is_empty())
                    && block_mapping
                {
                    patch_mapping(lines, b.line + 1, b.end, Some(indent), ov, nv, edits)?;
                } else {
                    edits.push(Edit {
                        start: b.line,
                        end: b.end,
                        lines: emit_entry(&b.key, nv, indent, trailing_comment(&b.inline)),
                    });
                }
            }
        }
    }
    let at = list.last().map_or(end, |b| b.end);
    let mut added = Vec::new();
    for (k, v) in nh {
        if oh.contains_key(k) {
            continue;
        }
        added.extend(emit_entry(&key_text(k)?, v, indent, None));
    }
    if !added.is_empty() {
        edits.push(Edit {
            start: at,
            end: at,
            lines: added,
        });
    }
    Some(())
}
