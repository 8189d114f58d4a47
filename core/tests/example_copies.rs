//! The files the published crate carries as copies stay identical to the repository's originals:
//! the example configurations its tests and doctests read (`core/examples/*.yaml`, copies of
//! `examples/*.yaml`, which the CLI, the bindings and the README use) and its `LICENSE`.
//!
//! Only the repository has the originals, so this file is left out of the package
//! (`exclude` in core/Cargo.toml).

use std::path::Path;

/// `(copy inside core/, original at the repository root)`.
const COPIES: &[(&str, &str)] = &[
    ("examples/demo.yaml", "../examples/demo.yaml"),
    (
        "examples/getting-started.yaml",
        "../examples/getting-started.yaml",
    ),
    ("examples/ingress.yaml", "../examples/ingress.yaml"),
    (
        "examples/ingress-nginx.yaml",
        "../examples/ingress-nginx.yaml",
    ),
    ("examples/protocols.yaml", "../examples/protocols.yaml"),
    ("LICENSE", "../LICENSE"),
];

#[test]
fn copies_inside_the_crate_equal_the_repository_files() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (copy, original) in COPIES {
        let read =
            |p: &str| std::fs::read(core.join(p)).unwrap_or_else(|e| panic!("core/{p}: {e}"));
        let (c, o) = (read(copy), read(original));
        assert!(!o.is_empty(), "{original} is empty");
        assert!(
            c == o,
            "core/{copy} differs from {original}: copy it again (cp {} core/{copy})",
            original.trim_start_matches("../")
        );
    }
}

/// Every YAML file in core/examples/ is one of the copies above (a new example gets its entry
/// here, so it cannot drift).
#[test]
fn every_yaml_in_core_examples_is_a_checked_copy() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut yaml: Vec<String> = std::fs::read_dir(&dir)
        .expect("core/examples")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
        .map(|n| format!("examples/{n}"))
        .collect();
    yaml.sort();
    let mut listed: Vec<String> = COPIES
        .iter()
        .filter(|(c, _)| c.starts_with("examples/"))
        .map(|(c, _)| c.to_string())
        .collect();
    listed.sort();
    assert_eq!(yaml, listed);
}
