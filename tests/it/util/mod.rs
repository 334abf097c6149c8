//! A temp-dir catalog and a hermetic way to run the real `strata` binary in it.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// The minimal strata.toml: the builtin registry only.
pub const CONFIG: &str = "[catalog]\nname = \"test\"\n";

pub struct Env {
    tmp: TempDir,
    vars: std::sync::Mutex<Vec<(String, String)>>,
}

pub use strata_test_support::{Run, git};

impl Env {
    /// An empty folder (no catalog yet).
    pub fn empty() -> Env {
        let tmp = tempfile::Builder::new()
            .prefix("strata-test")
            .tempdir()
            .expect("temp dir");
        fs_err::create_dir_all(tmp.path().join("home")).unwrap();
        fs_err::create_dir_all(tmp.path().join("cat")).unwrap();
        Env {
            tmp,
            vars: Default::default(),
        }
    }

    /// Sets an environment variable for every later run.
    pub fn set_var(&self, key: &str, value: &str) -> &Env {
        self.vars
            .lock()
            .unwrap()
            .push((key.to_string(), value.to_string()));
        self
    }

    /// A catalog whose strata.toml is [`CONFIG`].
    pub fn new() -> Env {
        Env::with_config(CONFIG)
    }

    pub fn with_config(config: &str) -> Env {
        let env = Env::empty();
        env.write("strata.toml", config);
        env
    }

    /// The catalog root.
    pub fn root(&self) -> PathBuf {
        self.tmp.path().join("cat")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// A path beside the catalog (for pack repositories).
    pub fn outside(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// The cache folder the runs use (`STRATA_CACHE`).
    pub fn cache(&self) -> PathBuf {
        self.tmp.path().join("home").join("strata-cache")
    }

    #[track_caller]
    pub fn write(&self, rel: &str, text: &str) -> &Env {
        let p = self.path(rel);
        fs_err::create_dir_all(p.parent().unwrap()).unwrap();
        fs_err::write(p, text).unwrap();
        self
    }

    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        fs_err::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Writes `profiles/<name>/profile.toml`.
    pub fn profile(&self, name: &str, text: &str) -> &Env {
        self.write(&format!("profiles/{name}/profile.toml"), text)
    }

    /// Writes a pack release of a dir registry at `packs/`.
    pub fn pack(&self, name: &str, version: &str, manifest: &str) -> &Env {
        self.write(&format!("packs/{name}/{version}/pack.toml"), manifest)
    }

    /// Runs strata in the catalog root with a clean, isolated environment.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.root(), args)
    }

    /// `sh` in the catalog root with the environment of [`Env::run`].
    pub fn shell(&self) -> Command {
        let mut c = Command::new("sh");
        strata_test_support::hermetic(&mut c, &self.tmp.path().join("home"))
            .current_dir(self.root())
            .envs(
                self.vars
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
        c
    }

    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        let out = strata_test_support::hermetic(
            &mut Command::new(env!("CARGO_BIN_EXE_strata")),
            &self.tmp.path().join("home"),
        )
        .args(args)
        .current_dir(dir)
        .envs(
            self.vars
                .lock()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .output()
        .expect("run strata");
        let tmp = self.tmp.path().to_string_lossy().into_owned();
        Run::of(out, |text| text.replace(&tmp, "[TEMP]"))
    }
}

/// strata.toml with the builtin registry and a dir registry `local` at `packs/`.
pub const WITH_LOCAL: &str = "[catalog]\nname = \"test\"\n\n[[registry]]\nname = \"public\"\nkind = \"builtin\"\n\n[[registry]]\nname = \"local\"\nkind = \"dir\"\npath = \"packs\"\n";

/// [`aws_profile`] with an add-on layer `agent` of the pack `agent` at `spec`.
pub fn with_agent(spec: &str) -> String {
    aws_profile("")
        + &format!(
            "\n[[layer]]\ntype = \"addon\"\nname = \"agent\"\npack = \"agent\"\nversion = \"{spec}\"\n"
        )
}

impl Env {
    /// Writes release `version` of the pack `agent` into the dir registry at `packs/`.
    pub fn agent(&self, version: &str) -> &Env {
        self.pack(
            "agent",
            version,
            &git::manifest("agent", version, "addon", "agent"),
        )
    }
}

/// A valid full profile for aws on the builtin catalog, with the given extra text after
/// the network layer's `version` line.
pub fn aws_profile(network_extra: &str) -> String {
    format!(
        r#"[profile]
name = "aws-prod"
cloud = "aws"

[[layer]]
type = "os"
pack = "ubuntu"
version = "22.04.x"

[[layer]]
type = "kubernetes"
pack = "kubernetes"
version = "1.36.x"

[[layer]]
type = "network"
pack = "calico"
version = "3.x"
{network_extra}
[[layer]]
type = "storage"
pack = "aws-ebs-csi"
version = "1.x"
"#
    )
}

/// Snapshots a run's exit code and output under `name`.
#[macro_export]
macro_rules! snap {
    ($name:expr, $run:expr) => {
        insta::assert_snapshot!($name, $run.transcript())
    };
}

/// Writes an executable script at `path` (a stand-in or wrapper for a program).
pub fn script(path: &Path, text: &str) {
    fs_err::write(path, text).unwrap();
    let mut perms = fs_err::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs_err::set_permissions(path, perms).unwrap();
}

/// The YAML documents of a text strata wrote (trusted: the tests' own output).
#[allow(clippy::disallowed_methods)]
pub fn load_yaml(text: &str) -> Result<Vec<yaml_rust2::Yaml>, yaml_rust2::ScanError> {
    yaml_rust2::YamlLoader::load_from_str(text)
}
