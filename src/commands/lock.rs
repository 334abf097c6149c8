//! `strata lock` and `strata update`: write missing and stale lock files, or move trains to
//! their newest releases; `--check` writes nothing, `--commit` commits the changed locks.

use std::collections::BTreeSet;

use crate::atomic;
use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::lock::plan::{Plan, Planned, Unlock, plan};
use crate::lock::stale;
use crate::output::plural;

/// Write missing and stale lock files, keeping every locked release that is still valid
#[derive(Debug, clap::Args)]
pub struct LockArgs {
    /// Profiles to lock (default: all)
    #[arg(value_name = "PROFILE", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profiles: Vec<String>,
    /// Write nothing; exit 1 and show what would change when any lock is missing or stale
    #[arg(long, conflicts_with = "commit")]
    pub check: bool,
    /// Commit the changed lock files (and nothing else) on the current branch
    #[arg(long)]
    pub commit: bool,
}

/// Move layers to the newest releases their version specs admit, and rewrite the locks
#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// Profiles to update (default: all)
    #[arg(value_name = "PROFILE", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::profiles))]
    pub profiles: Vec<String>,
    /// Only layers of these packs move (also accepts a moved tag or changed content)
    #[arg(long = "pack", value_name = "PACK", add = clap_complete::engine::ArgValueCandidates::new(crate::completion::packs))]
    pub packs: Vec<String>,
    /// Commit the changed lock files (and nothing else) on the current branch
    #[arg(long)]
    pub commit: bool,
    /// Write nothing: show what would change, as a diff of each lock file
    #[arg(long, conflicts_with = "commit")]
    pub dry_run: bool,
}

/// What a run does with the locks it plans.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    /// `lock --check`: exit 1 when any lock would change.
    Check,
    /// `update --dry-run`: show the changes, exit 0.
    DryRun,
}

pub fn lock(args: LockArgs, ctx: &Context) -> Result<()> {
    let mode = if args.check { Mode::Check } else { Mode::Write };
    run(
        ctx,
        &args.profiles,
        &Unlock::Nothing,
        mode,
        args.commit,
        "lock",
    )
}

pub fn update(args: UpdateArgs, ctx: &Context) -> Result<()> {
    let unlock = if args.packs.is_empty() {
        Unlock::All
    } else {
        Unlock::Packs(args.packs.into_iter().collect::<BTreeSet<_>>())
    };
    let mode = if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Write
    };
    run(ctx, &args.profiles, &unlock, mode, args.commit, "update")
}

fn run(
    ctx: &Context,
    names: &[String],
    unlock: &Unlock,
    mode: Mode,
    commit: bool,
    verb: &str,
) -> Result<()> {
    let check = mode == Mode::Check;
    if mode == Mode::Write {
        ctx.refuse_at(verb)?;
    }
    // `--check` only reads: locked releases come from the cache.
    let catalog = if check {
        ctx.catalog_locked()?
    } else {
        ctx.catalog_unfetched()?
    };
    // Refuse `--commit` before anything is written.
    let target = if commit {
        Some(crate::lock::commit::prepare(&catalog.root)?)
    } else {
        None
    };
    let Plan {
        profiles,
        mut problems,
        orphans,
    } = plan(&catalog, names, unlock)?;
    // Orphans and unreadable locks fail `--check`; other runs warn and go on.
    let leftovers = orphans
        .iter()
        .map(|o| stale::orphan(o))
        .chain(profiles.iter().filter_map(|p| {
            p.corrupt
                .clone()
                .map(|d| d.with_hint("`strata lock` writes it anew"))
        }));
    for d in leftovers {
        if check {
            problems.push(d);
        } else {
            ctx.out.warn(&d.to_string());
        }
    }
    let changed: Vec<&Planned> = profiles.iter().filter(|p| p.changed()).collect();
    if let Some(t) = &target {
        refuse_uncommitted_inputs(t, &catalog, &changed)?;
    }
    if check {
        for p in &changed {
            ctx.out
                .print(&diff(p.old_text.as_deref(), &p.new_text, &p.file));
            problems.extend(p.check_problem());
        }
    }
    crate::diagnostic::dedup(&mut problems);
    if !problems.is_empty() {
        let n = problems.len();
        let tail = if check {
            plural(n, "problem")
        } else {
            format!("{}; no lock file was written", plural(n, "problem"))
        };
        problems.push(Diagnostic::plain(tail));
        return Err(Error::Catalog(problems));
    }
    let up_to_date = match profiles.len() {
        1 => "1 lock file is up to date".to_string(),
        n => format!("{n} lock files are up to date"),
    };
    match mode {
        Mode::DryRun => dry_run(ctx, &changed, &up_to_date),
        Mode::Check => ctx.out.status("Checked", &up_to_date),
        Mode::Write if changed.is_empty() => ctx.out.status("Unchanged", &up_to_date),
        Mode::Write => write(ctx, &catalog.root, target.as_ref(), &changed, verb)?,
    }
    // The run ends here (`exit_now`): the plans of a thousand locks are not worth freeing
    // one value at a time.
    std::mem::forget((profiles, catalog));
    Ok(())
}

/// `--commit`: each changed lock depends on strata.toml and its profile, which must be
/// committed already, or the committed locks would not match the committed files.
fn refuse_uncommitted_inputs(
    target: &crate::lock::commit::Target,
    catalog: &crate::catalog::Catalog,
    changed: &[&Planned],
) -> Result<()> {
    let mut inputs = vec![crate::model::config::FILE_NAME.to_string()];
    inputs.extend(changed.iter().map(|p| p.profile_file.clone()));
    inputs.dedup();
    let dirty = target.uncommitted(&catalog.root, &inputs, &catalog.files)?;
    if dirty.is_empty() {
        return Ok(());
    }
    Err(Error::usage_hint(
        format!(
            "`--commit` commits lock files only, and `{}` differ{} from HEAD: the locks would not match the committed files",
            dirty.join("`, `"),
            if dirty.len() == 1 { "s" } else { "" }
        ),
        Some("commit them first, or drop `--commit`".to_string()),
    ))
}

/// `update --dry-run`: each lock's diff and changes; nothing is written.
fn dry_run(ctx: &Context, changed: &[&Planned], up_to_date: &str) {
    for p in changed {
        ctx.out
            .print(&diff(p.old_text.as_deref(), &p.new_text, &p.file));
        ctx.out.status("Changes", &format!("`{}`", p.file));
        for line in p.change_lines() {
            ctx.out.status("", &line);
        }
    }
    match changed.len() {
        0 => ctx.out.status("Unchanged", up_to_date),
        n => ctx.out.status(
            "Dry run",
            &format!(
                "{} would change; nothing was written",
                plural(n, "lock file")
            ),
        ),
    }
}

/// Writes the changed locks (and commits them with `--commit`), saying what changed.
fn write(
    ctx: &Context,
    root: &std::path::Path,
    target: Option<&crate::lock::commit::Target>,
    changed: &[&Planned],
    verb: &str,
) -> Result<()> {
    let staged = match target {
        Some(t) => {
            let files: Vec<_> = changed
                .iter()
                .map(|p| (root.join(&p.file), p.new_text.as_str()))
                .collect();
            Some(t.stage(&files, &crate::lock::commit::message(verb, changed))?)
        }
        None => None,
    };
    let files: Vec<_> = changed
        .iter()
        .map(|p| (root.join(&p.file), p.new_text.as_bytes()))
        .collect();
    atomic::write_all(&files)?;
    for p in changed {
        let label = if p.old_text.is_none() {
            "Locked"
        } else if verb == "update" {
            "Updated"
        } else {
            "Relocked"
        };
        ctx.out.status(label, &format!("`{}`", p.file));
        for line in p.change_lines() {
            ctx.out.status("", &line);
        }
    }
    if let (Some(t), Some(s)) = (target, &staged) {
        t.finish(s)?;
        ctx.out.status(
            "Committed",
            &format!("{} ({})", s.commit, plural(changed.len(), "lock file")),
        );
    }
    Ok(())
}

/// The most lines of one lock's diff that `--check` prints.
const MAX_DIFF_LINES: usize = 200;

/// A unified diff of a lock file, for `--check`, cut after [`MAX_DIFF_LINES`] lines (a lock
/// with a huge or foreign body would print it all).
fn diff(old: Option<&str>, new: &str, file: &str) -> String {
    let old = old.unwrap_or("");
    let text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{file}"), &format!("b/{file}"))
        .to_string();
    let total = text.lines().count();
    if total <= MAX_DIFF_LINES {
        return text;
    }
    let mut cut: String = text
        .lines()
        .take(MAX_DIFF_LINES)
        .flat_map(|l| [l, "\n"])
        .collect();
    cut.push_str(&format!(
        "… {} more lines of this diff not shown\n",
        total - MAX_DIFF_LINES
    ));
    cut
}
