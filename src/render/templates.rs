//! A pack release's templates (`*.j2` files), compiled with minijinja: strict undefined,
//! includes and imports only of templates of the same release, no file system or
//! environment access, a fuel limit and an output cap so that a runaway template ends with
//! an error.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::{Environment, UndefinedBehavior};
use toml::Value;

use crate::diagnostic::{Diagnostic, Source};
use crate::model::pack::Pack;

/// Fuel for one template: about one per instruction and one per 64 bytes of data, so it
/// bounds both loops and memory (legitimate pack templates use a few thousand).
pub const FUEL: u64 = 1_000_000;
/// The most one layer's rendered files may hold together.
pub const MAX_OUTPUT: usize = 8 << 20;

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
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("default delimiters are valid"),
    );
    env
}

/// Compiles every template of a release; a syntax error is a diagnostic at its line.
pub fn compile(pack: &Pack) -> Result<Arc<Templates>, Diagnostic> {
    let mut env = environment();
    env.set_fuel(Some(FUEL));
    // What a template writes is what it renders: no escaping by file extension (minijinja
    // would JSON-quote every value in `*.yaml.j2`); templates quote with `| tojson`.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_recursion_limit(100);
    let mut names = Vec::new();
    let mut sources = BTreeMap::new();
    for (path, bytes) in pack.templates() {
        let source = Source::from_bytes(pack.file_display(path), bytes)?;
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
    /// Renders every template to its file name without `.j2`.
    pub fn render(
        &self,
        params: &BTreeMap<String, Value>,
        pack: &Pack,
        profile: &super::ProfileInfo,
        layers: &BTreeMap<String, super::LayerInfo>,
    ) -> Result<BTreeMap<String, String>, Diagnostic> {
        let ctx = minijinja::context! {
            params => minijinja::value::Serde(params),
            pack => minijinja::context! { name => pack.name.clone(), version => pack.version.to_string() },
            profile => minijinja::value::Serde(profile),
            layers => minijinja::value::Serde(layers),
        };
        let mut out = BTreeMap::new();
        let mut total = 0;
        for name in &self.names {
            let tmpl = self
                .env
                .get_template(name)
                .map_err(|e| template_error(&self.sources[name], &e))?;
            let text = tmpl.render(ctx.clone()).map_err(|e| {
                let source = e
                    .name()
                    .and_then(|n| self.sources.get(n))
                    .unwrap_or(&self.sources[name]);
                template_error(source, &e)
            })?;
            total += text.len();
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
