//! Templates: any template compiles and renders or fails with a diagnostic, within the
//! run's limits (fuel, output caps, expression bounds), never a panic or an abort.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use strata::diagnostic::Source;
use strata::model::version::Version;
use strata::registry::format::strata::read_manifest;

const MANIFEST: &str = "[pack]\nname = \"p\"\nversion = \"1.0.0\"\nlayer = \"addon\"\n\n[params.replicas]\ntype = \"integer\"\ndefault = 2\n\n[params.name]\ntype = \"string\"\ndefault = \"x\"\n";

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    files.insert("pack.toml".to_string(), MANIFEST.as_bytes().to_vec());
    files.insert("out.yaml.j2".to_string(), data.to_vec());
    let version = Version::parse("1.0.0").expect("a version");
    let source = Source::new("packs/p/1.0.0/pack.toml", MANIFEST);
    let Ok(pack) = read_manifest("p", &version, source, files) else {
        return;
    };
    let mut params = BTreeMap::new();
    params.insert("replicas".to_string(), toml::Value::Integer(2));
    params.insert("name".to_string(), toml::Value::String("x".into()));
    let profile = minijinja::context! { name => "p", cloud => "aws", tags => Vec::<String>::new() };
    let layers = minijinja::context! {};
    let budget = std::sync::atomic::AtomicUsize::new(0);
    match strata::render::compile(&pack) {
        Ok(t) => {
            if let Err(d) = t.render(&params, &pack, &profile, &layers, &budget) {
                let _ = d.to_string();
            }
        }
        Err(d) => {
            let _ = d.to_string();
        }
    }
});
