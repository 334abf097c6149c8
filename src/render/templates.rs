//! A pack release's templates (`*.j2` files), compiled with minijinja: strict undefined,
//! includes and imports only of templates of the same release, no file system or
//! environment access. Hostile templates end with an error at their line: minijinja's fuel
//! bounds instructions and the data they create, `tojson`'s indent is capped, expressions
//! are bounded in size before they are parsed (a deep chain would exhaust the stack), and
//! output is capped per layer and per run.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use minijinja::{Environment, UndefinedBehavior};
use toml::Value;

use crate::diagnostic::{Diagnostic, Source};
use crate::model::pack::Pack;

/// Fuel for one template: one per instruction and one per 64 bytes of data created, so it
/// bounds both loops and memory (legitimate pack templates use a few thousand).
pub const FUEL: u64 = 1_000_000;
/// The most one layer's rendered files may hold together.
pub const MAX_OUTPUT: usize = 8 << 20;
/// The most all of a run's rendered files may hold together.
pub const MAX_RUN_OUTPUT: usize = 1 << 30;
/// The largest template source.
pub const MAX_TEMPLATE: usize = 1 << 20;
/// The most operators one `{{ … }}` or `{% … %}` tag may hold, and how deeply its brackets
/// may nest: far beyond any real template, far below what exhausts the parser's stack.
pub const MAX_OPERATORS: usize = 1_000;
pub const MAX_NESTING: usize = 64;
/// The widest indent `tojson` takes.
pub const MAX_INDENT: i64 = 16;

/// The compiled templates of one pack release, built once per run.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    names: Vec<String>,
    /// Template sources by name, for pointing at a line.
    sources: BTreeMap<String, Source>,
}

/// A minijinja environment as strata renders with: strict undefined, trailing newlines
/// kept.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Debug detail (which expression is undefined) in release builds too.
    env.set_debug(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_test("within", within);
    env.add_test("overlapping", overlapping);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("default delimiters are valid"),
    );
    env
}

/// An address or a network (`10.96.0.10`, `10.96.0.0/16`).
fn network(text: &str) -> Result<ipnet::IpNet, minijinja::Error> {
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("`{text}` is neither an IP address nor a CIDR"),
            )
        })
}

/// `a is within(b)`: address or network `a` lies inside network `b`.
fn within(a: &str, b: &str) -> Result<bool, minijinja::Error> {
    let (a, b) = (network(a)?, network(b)?);
    Ok(b.contains(&a))
}

/// `a is overlapping(b)`: networks `a` and `b` share an address.
fn overlapping(a: &str, b: &str) -> Result<bool, minijinja::Error> {
    let (a, b) = (network(a)?, network(b)?);
    Ok(a.contains(&b) || b.contains(&a))
}

/// The templates of every release a run renders, compiled once per run: releases are
/// keyed by their manifest as shown (registry, pack, version) and their content digest.
#[derive(Default)]
pub struct Compiled(Mutex<HashMap<(String, String), CompileResult>>);

type CompileResult = Result<Arc<Templates>, Diagnostic>;

impl Compiled {
    /// The release's templates, compiled on first use. Two threads that ask for one release
    /// at once may both compile it; the answer is the same.
    pub fn of(&self, pack: &Pack) -> Result<Arc<Templates>, Diagnostic> {
        let key = (pack.manifest.name.clone(), pack.digest.clone());
        let cached = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        if let Some(hit) = cached {
            return hit;
        }
        let result = compile(pack);
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, result.clone());
        result
    }
}

/// Compiles every template of a release; a syntax error is a diagnostic at its line.
pub fn compile(pack: &Pack) -> Result<Arc<Templates>, Diagnostic> {
    let mut env = environment();
    env.set_fuel(Some(FUEL));
    // What a template writes is what it renders: no escaping by file extension (minijinja
    // would JSON-quote every value in `*.yaml.j2`); templates quote with `| tojson`.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_recursion_limit(100);
    env.add_filter("tojson", tojson);
    let mut names = Vec::new();
    let mut sources = BTreeMap::new();
    for (path, bytes) in pack.templates() {
        let source = Source::from_bytes(pack.file_display(path), bytes)?;
        check_size(&source)?;
        env.add_template_owned(path.to_string(), source.text.to_string())
            .map_err(|e| template_error(&source, &e))?;
        names.push(path.to_string());
        sources.insert(path.to_string(), source);
    }
    Ok(Arc::new(Templates {
        env,
        names,
        sources,
    }))
}

impl Templates {
    /// Renders every template to its file name without `.j2`. `profile` and `layers` are
    /// the profile's context, built once for all its layers; `budget` counts the run's
    /// output.
    pub fn render(
        &self,
        params: &BTreeMap<String, Value>,
        pack: &Pack,
        profile: &minijinja::Value,
        layers: &minijinja::Value,
        budget: &std::sync::atomic::AtomicUsize,
    ) -> Result<BTreeMap<String, String>, Diagnostic> {
        let ctx = minijinja::context! {
            params => minijinja::value::Serde(params),
            pack => minijinja::context! { name => pack.name.clone(), version => pack.version.to_string() },
            profile => profile.clone(),
            layers => layers.clone(),
        };
        let mut out = BTreeMap::new();
        let mut total = 0;
        for name in &self.names {
            let tmpl = self
                .env
                .get_template(name)
                .map_err(|e| template_error(&self.sources[name], &e))?;
            let shown = &self.sources[name].name;
            let rendered = crate::limits::within(crate::limits::TEMPLATE_MEMORY, shown, || {
                tmpl.render(ctx.clone())
            });
            let text = rendered.map_err(|e| {
                let source = e
                    .name()
                    .and_then(|n| self.sources.get(n))
                    .unwrap_or(&self.sources[name]);
                template_error(source, &e)
            })?;
            total += text.len();
            let run =
                budget.fetch_add(text.len(), std::sync::atomic::Ordering::Relaxed) + text.len();
            if run > MAX_RUN_OUTPUT {
                return Err(Diagnostic::file(
                    &self.sources[name].name,
                    format!(
                        "the templates of this run produce more than {} MiB (the last was {} {})",
                        MAX_RUN_OUTPUT >> 20,
                        pack.name,
                        pack.version
                    ),
                ));
            }
            if total > MAX_OUTPUT {
                return Err(Diagnostic::file(
                    &self.sources[name].name,
                    format!(
                        "the templates of {} {} produce more than {} MiB",
                        pack.name,
                        pack.version,
                        MAX_OUTPUT >> 20
                    ),
                ));
            }
            // A file a parameter switched off renders only whitespace: it is no file. A
            // chart's values are a file even when empty (the chart's defaults).
            let values = pack.charts.iter().any(|c| c.values == *name);
            if !values && text.trim().is_empty() {
                continue;
            }
            let file = name.strip_suffix(".j2").unwrap_or(name).to_string();
            out.insert(file, text);
        }
        Ok(out)
    }
}

/// A minijinja error as a diagnostic at the template's line.
fn template_error(source: &Source, e: &minijinja::Error) -> Diagnostic {
    use minijinja::ErrorKind as K;
    let what = match e.kind() {
        K::SyntaxError => "template syntax error",
        K::UndefinedError => "undefined value in template",
        K::TemplateNotFound => {
            "template not found (templates may include only templates of the same pack release)"
        }
        K::OutOfFuel => {
            "template ran too long (fuel exhausted: a loop without end, or output too large)"
        }
        _ => "template error",
    };
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    let message = format!("{what}{detail}");
    let d = match (e.line(), e.range()) {
        (_, Some(range)) => Diagnostic::at(source, range, message),
        (Some(line), None) => Diagnostic::at_line(source, line, message),
        _ => Diagnostic::file(&source.name, message),
    };
    if e.kind() == K::UndefinedError {
        d.with_hint("templates see `params`, `pack`, `profile` and `layers`; test optional values with `is defined`")
    } else {
        d
    }
}

/// `tojson` with its indent capped: a huge indent would make a huge string before the
/// fuel could stop it.
fn tojson(
    value: &minijinja::Value,
    indent: Option<minijinja::Value>,
    kwargs: minijinja::value::Kwargs,
) -> Result<minijinja::Value, minijinja::Error> {
    let wide = |v: &minijinja::Value| {
        i64::try_from(v.clone()).is_ok_and(|n| !(0..=MAX_INDENT).contains(&n))
    };
    let asked = indent
        .as_ref()
        .or(kwargs.peek::<minijinja::Value>("indent").ok().as_ref())
        .cloned();
    if asked.as_ref().is_some_and(wide) {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("`tojson` takes an indent of 0 to {MAX_INDENT}"),
        ));
    }
    minijinja::filters::tojson(value, indent, kwargs)
}

/// Refuses a template too large, or with a tag whose expression is too long or too deeply
/// nested to parse safely, at the tag's line.
fn check_size(source: &Source) -> Result<(), Diagnostic> {
    let text = &source.text;
    if text.len() > MAX_TEMPLATE {
        return Err(Diagnostic::file(
            &source.name,
            format!("template is larger than {} MiB", MAX_TEMPLATE >> 20),
        ));
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(open) = find_tag(bytes, i) {
        let (mut ops, mut depth, mut deepest) = (0usize, 0usize, 0usize);
        let mut j = open + 2;
        let mut quote: Option<u8> = None;
        while j < bytes.len() {
            let b = bytes[j];
            match quote {
                Some(_) if b == b'\\' => j += 1,
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None => match b {
                    b'"' | b'\'' => quote = Some(b),
                    b'}' | b'%' if bytes.get(j + 1) == Some(&b'}') && depth == 0 => break,
                    b'(' | b'[' | b'{' => {
                        depth += 1;
                        deepest = deepest.max(depth);
                        ops += 1;
                    }
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    b'|' | b'.' | b'+' | b'-' | b'*' | b'/' | b'%' | b'~' | b',' | b'=' | b'<'
                    | b'>' | b'!' => ops += 1,
                    _ => {}
                },
            }
            if ops > MAX_OPERATORS || deepest > MAX_NESTING {
                let line = text[..open].matches('\n').count() + 1;
                return Err(Diagnostic::at_line(
                    source,
                    line,
                    format!(
                        "expression too complex to render safely (more than {MAX_OPERATORS} operators or brackets nested over {MAX_NESTING} deep in one tag)"
                    ),
                ));
            }
            j += 1;
        }
        i = j + 2;
    }
    Ok(())
}

/// The start of the next `{{` or `{%` tag at or after `from`.
fn find_tag(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len().saturating_sub(1))
        .find(|&k| bytes[k] == b'{' && matches!(bytes[k + 1], b'{' | b'%'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_values_are_named_in_every_build() {
        // Release builds drop minijinja's detail unless debug is on.
        let env = environment();
        assert!(env.debug());
        let err = env
            .render_str(
                "{{ params.replicaz }}",
                minijinja::context! { params => minijinja::context! {} },
            )
            .unwrap_err();
        assert_eq!(err.kind(), minijinja::ErrorKind::UndefinedError);
    }

    #[test]
    fn expressions_are_bounded_before_parsing() {
        let ok = Source::new(
            "t.j2",
            "{{ a|b|c }} {% if x and y %}{{ 'a|b|c|' ~ \"}}\" }}{% endif %}",
        );
        assert!(check_size(&ok).is_ok());
        let deep = Source::new(
            "t.j2",
            format!("x\n{{{{ {}1{} }}}}", "(".repeat(70), ")".repeat(70)),
        );
        assert_eq!(
            check_size(&deep)
                .unwrap_err()
                .to_string()
                .lines()
                .next()
                .unwrap(),
            "t.j2:2:1: expression too complex to render safely (more than 1000 operators or brackets nested over 64 deep in one tag)"
        );
    }

    #[test]
    fn address_tests() {
        let env = environment();
        let eval = |e: &str| {
            env.compile_expression(e)
                .unwrap()
                .eval(minijinja::context! {})
                .map(|v| v.is_true())
                .map_err(|e| e.detail().unwrap_or_default().to_string())
        };
        assert_eq!(eval("'10.96.0.10' is within('10.96.0.0/12')"), Ok(true));
        assert_eq!(eval("'10.112.0.1' is within('10.96.0.0/12')"), Ok(false));
        assert_eq!(eval("'10.96.0.0/16' is within('10.96.0.0/12')"), Ok(true));
        assert_eq!(eval("'10.0.0.0/8' is within('10.96.0.0/12')"), Ok(false));
        assert_eq!(
            eval("'10.0.0.0/8' is overlapping('10.96.0.0/12')"),
            Ok(true)
        );
        assert_eq!(
            eval("'192.168.0.0/16' is overlapping('10.96.0.0/12')"),
            Ok(false)
        );
        assert_eq!(eval("'fd00::1' is within('fd00::/8')"), Ok(true));
        assert_eq!(
            eval("'10.96.0.300' is within('10.96.0.0/12')"),
            Err("`10.96.0.300` is neither an IP address nor a CIDR".to_string())
        );
    }
}
