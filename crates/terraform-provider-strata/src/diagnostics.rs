//! strata's errors as Terraform diagnostics, with the text strata prints: one diagnostic per
//! problem, its summary the `file:line:col: message` line, its detail the excerpt of the
//! line and the hint.

use tf_provider::{AttributePath, Diagnostic, Diagnostics};

use strata::error::Error;

/// Adds an error of strata to a read's diagnostics.
pub fn report(diags: &mut Diagnostics, e: &Error) {
    match e {
        Error::Catalog(problems) => {
            for p in problems {
                let (summary, detail) = split(&p.to_string());
                error(diags, summary, detail);
            }
        }
        other => {
            let mut detail = Vec::new();
            let mut cause = std::error::Error::source(other);
            while let Some(c) = cause {
                detail.push(format!("  caused by: {c}"));
                cause = c.source();
            }
            if let Some(hint) = other.hint() {
                detail.push(format!("  hint: {hint}"));
            }
            error(diags, other.to_string(), detail.join("\n"));
        }
    }
}

/// Adds an error of the whole block. (The framework's own constructors append a backtrace
/// when `RUST_BACKTRACE` is set; a user's mistake has none.)
pub fn error(diags: &mut Diagnostics, summary: impl Into<String>, detail: impl Into<String>) {
    diags.add_error(Diagnostic {
        summary: summary.into().into(),
        detail: detail.into().into(),
        attribute: AttributePath::root(),
    });
}

/// A diagnostic's text as Terraform shows it: the first line, then the rest.
fn split(text: &str) -> (String, String) {
    match text.split_once('\n') {
        Some((first, rest)) => (first.to_string(), rest.trim_start_matches('\n').to_string()),
        None => (text.to_string(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_its_line_then_its_excerpt_and_hint() {
        assert_eq!(
            split(
                "profiles/a/profile.toml:3:11: no pack `calco`\n   |\n 3 | pack = \"calco\"\n   |        ^^^^^^^\n  hint: did you mean `calico`?"
            ),
            (
                "profiles/a/profile.toml:3:11: no pack `calco`".to_string(),
                "   |\n 3 | pack = \"calco\"\n   |        ^^^^^^^\n  hint: did you mean `calico`?"
                    .to_string()
            )
        );
        assert_eq!(
            split("no profile `x`"),
            ("no profile `x`".to_string(), String::new())
        );
    }

    #[test]
    fn other_errors_carry_their_hint() {
        let mut diags = Diagnostics::default();
        report(
            &mut diags,
            &Error::usage_hint(
                "no profile named `edg`",
                Some("did you mean `edge`?".to_string()),
            ),
        );
        assert_eq!(diags.errors.len(), 1);
        assert_eq!(diags.errors[0].summary, "no profile named `edg`");
        assert_eq!(diags.errors[0].detail, "  hint: did you mean `edge`?");
    }
}
