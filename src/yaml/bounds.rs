//! Bounds on what a YAML text may make: an alias stands for a copy of its anchored node, so
//! a few hundred bytes of nested aliases ("billion laughs") would expand to gigabytes when
//! loaded. Every text is first read as events, counting the nodes it expands to and how
//! deep it nests, and refused past [`MAX_NODES`] or [`MAX_DEPTH`], before anything is built.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};

/// The most nodes (scalars, sequences and mappings) a document stream's aliases may stand
/// for, beyond the nodes its text writes out (which its size bounds: a Helm repository's
/// `index.yaml` of 20,000 releases writes about 1.5 million). The values of the largest
/// public charts use a few hundred through aliases, when they use any.
pub const MAX_NODES: u64 = 1_000_000;

/// The deepest a document may nest.
pub const MAX_DEPTH: usize = 256;

/// Checks `text` against the bounds; the error is (line, message). A text that does not
/// parse passes: the loader says why.
pub fn check(text: &str) -> Result<(), (usize, String)> {
    let mut parser = Parser::new_from_str(text);
    // The expanded size of each anchored node, and of each open collection.
    let mut anchored: HashMap<usize, u64> = HashMap::new();
    let mut open: Vec<(usize, u64)> = Vec::new();
    // What the aliases stand for, in all.
    let mut aliased: u64 = 0;
    loop {
        let Ok((event, mark)) = parser.next_token() else {
            return Ok(());
        };
        let done = match event {
            Event::StreamEnd => return Ok(()),
            Event::Scalar(_, _, anchor, _) => Some((anchor, 1)),
            Event::Alias(id) => {
                let size = anchored.get(&id).copied().unwrap_or(1);
                aliased = aliased.saturating_add(size);
                Some((0, size))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_DEPTH {
                    return Err((mark.line(), format!("nests deeper than {MAX_DEPTH} levels")));
                }
                open.push((anchor, 1));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => open.pop(),
            _ => None,
        };
        let Some((anchor, size)) = done else {
            continue;
        };
        if anchor > 0 {
            anchored.insert(anchor, size);
        }
        if let Some((_, parent)) = open.last_mut() {
            *parent = parent.saturating_add(size);
        }
        if aliased > MAX_NODES {
            return Err((
                mark.line(),
                format!(
                    "expands to more than {MAX_NODES} nodes through its aliases (`*name`); strata reads no such document"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_document_without_aliases_passes() {
        // 1,200,000 nodes written out (a big Helm repository index has more): no bound.
        let text: String = (0..400_000).map(|i| format!("- [k{i}, v]\n")).collect();
        assert_eq!(check(&text), Ok(()));
    }

    #[test]
    fn billion_laughs_is_refused_before_it_expands() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
            let prev = ["a", "b", "c", "d", "e", "f", "g", "h"][i];
            text.push_str(&format!(
                "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
        }
        let (line, message) = check(&text).unwrap_err();
        assert!(
            message.starts_with("expands to more than 1000000 nodes"),
            "{message}"
        );
        assert!(line >= 6, "{line}");
        // Aliases that expand little are fine.
        assert_eq!(
            check("base: &b {x: 1, y: 2}\nother: *b\nmore: *b\n"),
            Ok(())
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let nested = |depth: usize| {
            (0..depth)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>()
                + &" ".repeat(depth)
                + "x\n"
        };
        assert_eq!(
            check(&nested(300)).unwrap_err().1,
            "nests deeper than 256 levels"
        );
        assert_eq!(check(&nested(100)), Ok(()));
    }
}
