//! The conformance harness.
//!
//! For now this only loads every case file of `spec-tests/cases/` and checks that it is a
//! well-formed case (requests with unique names, consistent with `INDEX.json`), so that the
//! harness is exercised. Running the engine on each case (`trieway eval`) and judging its
//! decisions with `trieway_spec_tests::judge::judge_case` is added with the eval issue.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use trieway_spec_tests::cases_dir;
use trieway_spec_tests::judge::{category, collect_case_files, load_case};

#[test]
fn every_case_file_parses_and_has_uniquely_named_requests() {
    let files = collect_case_files(&cases_dir()).expect("read spec-tests/cases");
    assert!(!files.is_empty(), "no case files in {:?}", cases_dir());
    let mut total = 0;
    for path in &files {
        let case = load_case(path).unwrap_or_else(|e| panic!("{e}"));
        let requests = case["requests"].as_array().expect("requests");
        assert!(!requests.is_empty(), "{path:?}: no requests");
        let mut names = BTreeSet::new();
        for r in requests {
            let name = r["name"].as_str().expect("checked by load_case");
            assert!(
                names.insert(name),
                "{path:?}: duplicate request name {name:?}"
            );
            assert!(
                r["expect"].is_object(),
                "{path:?}: {name:?} has no expect object"
            );
        }
        assert!(case["resources"].is_array(), "{path:?}: no resources");
        assert!(case["name"].is_string(), "{path:?}: no name");
        let _ = category(&case);
        total += requests.len();
    }
    assert!(total > 0);
}

#[test]
fn index_lists_every_case_file() {
    let text = std::fs::read_to_string(cases_dir().join("INDEX.json")).expect("INDEX.json");
    let index: Vec<Value> = serde_json::from_str(&text).expect("INDEX.json is a list");
    let listed: BTreeMap<String, &Value> = index
        .iter()
        .map(|e| (e["file"].as_str().expect("file").to_string(), e))
        .collect();
    let files = collect_case_files(&cases_dir()).expect("read spec-tests/cases");
    assert_eq!(listed.len(), files.len(), "INDEX.json and cases/ disagree");
    for path in files {
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        let entry = listed
            .get(&file)
            .unwrap_or_else(|| panic!("{file} not in INDEX.json"));
        let case = load_case(&path).unwrap();
        assert_eq!(entry["name"], case["name"], "{file}: name");
        assert_eq!(entry["features"], case["features"], "{file}: features");
        let n = case["requests"].as_array().unwrap().len() as u64;
        assert_eq!(entry["n_requests"].as_u64(), Some(n), "{file}: n_requests");
    }
}
