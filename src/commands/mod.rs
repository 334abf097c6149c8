//! One module per subcommand; [`run`] is the single dispatch.

pub(crate) mod cluster;
pub(crate) mod diff;
pub(crate) mod explain;
pub(crate) mod export;
pub(crate) mod fetch;
pub(crate) mod images;
pub(crate) mod init;
pub(crate) mod lock;
pub(crate) mod manifests;
pub(crate) mod outdated;
pub(crate) mod pack;
pub(crate) mod profile;
pub(crate) mod registry;
pub(crate) mod release;
pub(crate) mod render;
pub(crate) mod shell;
pub(crate) mod site;
pub(crate) mod validate;
pub(crate) mod verify;

use crate::cli::Command;
use crate::context::Context;
use crate::error::Result;
use crate::output::OutputFormat;

/// The JSON Schema of every command's `--format json` output, by name (`pack-list`), as
/// `strata schema json/NAME` prints it and `schemas/json/` ships it.
pub fn output_schemas() -> Vec<(&'static str, serde_json::Value)> {
    let mut all = Vec::new();
    for part in [
        cluster::json_schemas(),
        diff::json_schemas(),
        explain::json_schemas(),
        export::json_schemas(),
        fetch::json_schemas(),
        outdated::json_schemas(),
        pack::json_schemas(),
        profile::json_schemas(),
        registry::json_schemas(),
        render::json_schemas(),
        site::json_schemas(),
        manifests::json_schemas(),
        images::json_schemas(),
        validate::json_schemas(),
        verify::json_schemas(),
    ] {
        all.extend(part);
    }
    all.sort_by(|a, b| a.0.cmp(b.0));
    all.into_iter()
        .map(|(name, schema)| (name, crate::schema::versioned(schema)))
        .collect()
}

/// The command's name as typed (`pack list`), for messages.
fn name(command: &Command) -> &'static str {
    match command {
        Command::Init(_) => "init",
        Command::Fetch(_) => "fetch",
        Command::Registry(registry::Command::List(_)) => "registry list",
        Command::Registry(registry::Command::Add(_)) => "registry add",
        Command::Registry(registry::Command::Remove(_)) => "registry remove",
        Command::Pack(pack::Command::List(_)) => "pack list",
        Command::Pack(pack::Command::Show(_)) => "pack show",
        Command::Profile(profile::Command::New(_)) => "profile new",
        Command::Profile(profile::Command::List(_)) => "profile list",
        Command::Validate(_) => "validate",
        Command::Lock(args) if args.check => "lock --check",
        Command::Lock(_) => "lock",
        Command::Update(_) => "update",
        Command::Verify(_) => "verify",
        Command::Render(_) => "render",
        Command::Images(_) => "images",
        Command::Explain(_) => "explain",
        Command::Cluster(cluster::Command::List) => "cluster list",
        Command::Cluster(cluster::Command::Validate(_)) => "cluster validate",
        Command::Cluster(cluster::Command::Render(_)) => "cluster render",
        Command::Export(_) => "export",
        Command::Diff(_) => "diff",
        Command::Outdated(_) => "outdated",
        Command::Release(_) => "release",
        Command::Site(_) => "site",
        Command::Completions(_) => "completions",
        Command::Man(_) => "man",
        Command::Schema(_) => "schema",
    }
}

/// The `--format` values a command prints: every command prints text; those that print data
/// also print JSON (docs/json.md); the rest refuse `--format json` rather than ignore it.
pub fn formats(command: &Command) -> &'static [OutputFormat] {
    use OutputFormat::*;
    if writes_files(command) {
        return &[Text];
    }
    match command {
        Command::Diff(_) => &[Text, Json, Markdown],
        Command::Validate(_) => &[Text, Json, Github, Sarif],
        Command::Fetch(_)
        | Command::Registry(registry::Command::List(_))
        | Command::Profile(profile::Command::List(_))
        | Command::Pack(_)
        | Command::Verify(_)
        | Command::Render(_)
        | Command::Images(_)
        | Command::Explain(_)
        | Command::Cluster(_)
        | Command::Export(_)
        | Command::Site(_)
        | Command::Outdated(_) => &[Text, Json],
        Command::Init(_)
        | Command::Registry(registry::Command::Add(_) | registry::Command::Remove(_))
        | Command::Profile(profile::Command::New(_))
        | Command::Lock(_)
        | Command::Update(_)
        | Command::Release(_)
        | Command::Completions(_)
        | Command::Man(_)
        | Command::Schema(_) => &[Text],
    }
}

/// `render`, `cluster render` and `export` with `--out DIR`: they write files, and print
/// no data.
fn writes_files(command: &Command) -> bool {
    match command {
        Command::Render(args) => args.out.is_some(),
        Command::Export(args) => args.out.is_some(),
        Command::Cluster(cluster::Command::Render(args)) => args.out.is_some(),
        _ => false,
    }
}

pub fn run(command: Command, ctx: &Context) -> Result<()> {
    let allowed = formats(&command);
    if !allowed.contains(&ctx.out.format) {
        if writes_files(&command) {
            return Err(crate::error::Error::usage_hint(
                format!(
                    "`strata {}` with `--out` writes files and prints no `--format {}`",
                    name(&command),
                    ctx.out.format.name()
                ),
                Some("drop `--out` to print the files as JSON".to_string()),
            ));
        }
        let list: Vec<&str> = allowed.iter().map(|f| f.name()).collect();
        return Err(crate::error::Error::usage_hint(
            format!(
                "`strata {}` does not print `--format {}`",
                name(&command),
                ctx.out.format.name()
            ),
            Some(format!("it prints {}", crate::output::either(&list))),
        ));
    }
    match command {
        Command::Init(args) => init::run(args, ctx),
        Command::Fetch(args) => fetch::run(args, ctx),
        Command::Registry(cmd) => registry::run(cmd, ctx),
        Command::Pack(cmd) => pack::run(cmd, ctx),
        Command::Profile(cmd) => profile::run(cmd, ctx),
        Command::Validate(args) => validate::run(args, ctx),
        Command::Lock(args) => lock::lock(args, ctx),
        Command::Update(args) => lock::update(args, ctx),
        Command::Verify(args) => verify::run(args, ctx),
        Command::Render(args) => render::run(args, ctx),
        Command::Images(args) => images::run(args, ctx),
        Command::Explain(args) => explain::run(args, ctx),
        Command::Cluster(cmd) => cluster::run(cmd, ctx),
        Command::Export(args) => export::run(args, ctx),
        Command::Diff(args) => diff::run(args, ctx),
        Command::Outdated(args) => outdated::run(args, ctx),
        Command::Release(args) => release::run(args, ctx),
        Command::Site(args) => site::run(args, ctx),
        Command::Completions(args) => shell::completions(args, ctx),
        Command::Man(args) => shell::man(args, ctx),
        Command::Schema(args) => shell::schema(args, ctx),
    }
}
