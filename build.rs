// The built-in catalog and strata's own templates are embedded in the binary; rebuild when
// they change (include_dir cannot track files on stable Rust).
fn main() {
    println!("cargo:rerun-if-changed=catalog");
    println!("cargo:rerun-if-changed=templates");
}
