//! User text in a pull-request comment, escaped for where it lands: a table cell or
//! paragraph ([`text`]), an inline code span ([`code`]), HTML such as a `<summary>`
//! ([`html`]), and a fenced block ([`fence`]). Nothing a value, a name or a rendered file
//! holds can end a cell, a span, a fold or a block, become live HTML or a link, or mention
//! someone.

/// A line break inside one line of Markdown.
const BREAK: &str = "⏎";

fn one_line(s: &str) -> String {
    s.replace("\r\n", BREAK).replace(['\n', '\r'], BREAK)
}

/// Plain text in a table cell or a paragraph: HTML, Markdown punctuation, `|` and `@`
/// escaped, line breaks shown as `⏎`.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '`' => out.push_str("&#96;"),
            '|' | '\\' | '*' | '_' | '[' | ']' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// An inline code span (safe in a table cell): delimited by more backticks than the text
/// holds in a row, `|` escaped as GFM tables need, line breaks shown as `⏎`.
pub fn code(s: &str) -> String {
    let body = one_line(s).replace('|', "\\|");
    let ticks = "`".repeat(longest_run(&body, '`') + 1);
    // A span whose text starts or ends with a backtick (or a space) is padded.
    let pad = if body.starts_with(['`', ' ']) || body.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{body}{pad}{ticks}")
}

/// Text inside HTML (`<summary>`, `<code>`): entities escaped, `@` too, on one line.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '@' => out.push_str("&#64;"),
            c => out.push(c),
        }
    }
    out
}

/// A fenced block of `body` in `lang`: the fence is longer than any run of backticks in
/// the body, so no line of it closes the block.
pub fn fence(lang: &str, body: &str) -> String {
    let ticks = "`".repeat((longest_run(body, '`') + 1).max(3));
    let mut s = format!("{ticks}{lang}\n{body}");
    if !body.ends_with('\n') {
        s.push('\n');
    }
    s.push_str(&ticks);
    s.push('\n');
    s
}

/// A unified diff as a fenced `diff` block of at most `max_lines` lines, then a note of how
/// many were left out and that `command` shows all of it.
pub fn fenced_diff(diff: &str, max_lines: usize, command: &str) -> String {
    let lines: Vec<&str> = diff.lines().collect();
    let shown: String = lines
        .iter()
        .take(max_lines)
        .flat_map(|l| [*l, "\n"])
        .collect();
    let mut s = fence("diff", &shown);
    if lines.len() > max_lines {
        s.push_str(&format!(
            "\n_{} more lines not shown; run `{command}` locally for all of it._\n",
            lines.len() - max_lines
        ));
    }
    s
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_escapes_its_place() {
        let evil = "a|b\n</details><img src=x onerror=alert(1)> @admin `x` [l](http://e)";
        assert_eq!(
            text(evil),
            "a\\|b⏎&lt;/details&gt;&lt;img src=x onerror=alert(1)&gt; &#64;admin &#96;x&#96; \\[l\\](http://e)"
        );
        assert_eq!(code("a`b|c\nd"), "``a`b\\|c⏎d``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(html("</details>@x"), "&lt;/details&gt;&#64;x");
        assert_eq!(fence("diff", "+```\n"), "````diff\n+```\n````\n");
        assert_eq!(fence("text", "plain"), "```text\nplain\n```\n");
    }
}
