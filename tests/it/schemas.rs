//! The JSON Schemas of strata's files: `strata schema NAME` prints what `schemas/` ships, and
//! every example in the docs and every file of the built-in catalog validates against them,
//! while a misspelt key does not.

use std::path::Path;

use crate::util::Env;

const FILES: [&str; 4] = ["strata.toml", "profile.toml", "pack.toml", "cluster.toml"];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator(file: &str) -> jsonschema::Validator {
    let name = file.trim_end_matches(".toml");
    let text = fs_err::read_to_string(repo().join(format!("schemas/{name}.schema.json"))).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// The schema a TOML document is for, by its first table.
fn kind_of(doc: &toml::Table) -> Option<&'static str> {
    ["catalog", "profile", "pack", "cluster"]
        .iter()
        .position(|k| doc.get(*k).is_some_and(|v| v.is_table()))
        .map(|i| FILES[i])
}

fn errors(file: &str, doc: &toml::Table) -> Vec<String> {
    let json = serde_json::to_value(doc).unwrap();
    validator(file)
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn schema_prints_what_schemas_ships() {
    let env = Env::empty();
    for file in FILES {
        let run = env.run(&["schema", file]);
        run.success();
        let shipped = fs_err::read_to_string(repo().join(format!(
            "schemas/{}.schema.json",
            file.trim_end_matches(".toml")
        )))
        .unwrap();
        assert_eq!(
            run.stdout, shipped,
            "schemas/ is stale: run `strata schema {file}`"
        );
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(v["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(v["title"], format!("strata {file}"));
    }
    // And the JSON of every command.
    for entry in fs_err::read_dir(repo().join("schemas/json")).unwrap() {
        let path = entry.unwrap().path();
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".schema.json", "");
        let run = env.run(&["schema", &format!("json/{name}")]);
        run.success();
        assert_eq!(
            run.stdout,
            fs_err::read_to_string(&path).unwrap(),
            "schemas/json/{name}.schema.json is stale: run `strata schema json/{name}`"
        );
    }
    env.run(&["schema", "json/pack-lst"]).fails(
        2,
        "error: no schema named `json/pack-lst`\n  hint: did you mean `json/pack-list`?\n",
    );
    env.run(&["schema", "profile.tml"]).fails(
        2,
        "error: no schema named `profile.tml`\n  hint: did you mean `profile.toml`?\n",
    );
}

#[test]
fn docs_and_builtin_catalog_validate_and_a_misspelt_key_does_not() {
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    // Every TOML example of the docs that is a whole file.
    let mut docs: Vec<std::path::PathBuf> = fs_err::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.push(repo().join("README.md"));
    docs.sort();
    for path in docs {
        let text = fs_err::read_to_string(&path).unwrap();
        for block in text.split("```toml\n").skip(1) {
            let body = block.split("```").next().unwrap();
            let Ok(doc) = body.parse::<toml::Table>() else {
                continue;
            };
            let Some(file) = kind_of(&doc) else { continue };
            let errors = errors(file, &doc);
            assert!(
                errors.is_empty(),
                "{}: {file} example:\n{body}\n{errors:#?}",
                path.display()
            );
            *checked.entry(file).or_default() += 1;
        }
    }
    // Every pack of the built-in catalog.
    for entry in walkdir::WalkDir::new(repo().join("catalog")) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy();
        if let Some(file) = FILES.iter().find(|f| **f == name) {
            let doc: toml::Table = fs_err::read_to_string(entry.path())
                .unwrap()
                .parse()
                .unwrap();
            let errors = errors(file, &doc);
            assert!(errors.is_empty(), "{}: {errors:#?}", entry.path().display());
            *checked.entry(file).or_default() += 1;
        }
    }
    // And what `init` and `profile new` write.
    let env = Env::empty();
    env.run(&["init", "-q", "demo"]).success();
    let root = env.path("demo");
    for rel in ["strata.toml", "profiles/example/profile.toml"] {
        let doc: toml::Table = fs_err::read_to_string(root.join(rel))
            .unwrap()
            .parse()
            .unwrap();
        let file = kind_of(&doc).unwrap();
        assert!(errors(file, &doc).is_empty(), "{rel}");
    }
    assert!(checked["pack.toml"] >= 10, "{checked:?}");
    assert!(checked["profile.toml"] >= 3, "{checked:?}");
    assert!(checked["strata.toml"] >= 1, "{checked:?}");
    assert!(checked["cluster.toml"] >= 1, "{checked:?}");
    // A misspelt key is what the schema is for.
    let bad: toml::Table = "[profile]\nname = \"a\"\ncloud = \"aws\"\nverison = \"1.0.0\"\n"
        .parse()
        .unwrap();
    assert_eq!(
        errors("profile.toml", &bad),
        ["Additional properties are not allowed ('verison' was unexpected) at /profile"]
    );
    let bad: toml::Table =
        "[catalog]\nname = \"a\"\n\n[[registry]]\nname = \"r\"\nkind = \"gti\"\n"
            .parse()
            .unwrap();
    assert_eq!(
        errors("strata.toml", &bad).len(),
        1,
        "{:?}",
        errors("strata.toml", &bad)
    );
}
