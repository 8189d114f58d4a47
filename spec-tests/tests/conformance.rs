//! The conformance harness.
//!
//! Loads every case file of `spec-tests/cases/` (the upstream conformance cases) and
//! `spec-tests/own-cases/` (ours, from SPEC.md), checks that each is well formed, routes every
//! request through `trieway eval` (as a library call) and judges the decisions with the Rust
//! port of `judge.py`. Prints the per-category table; fails on any failed request, and on any
//! skipped request outside the categories listed as unsupported in README.md.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use trieway_spec_tests::judge::summarize;
use trieway_spec_tests::judge::{category, collect_case_files, load_case};
use trieway_spec_tests::{cases_dir, own_cases_dir, report, run_dir, Verdict, UNSUPPORTED};

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

fn judge_dir(dir: &std::path::Path) {
    let results = run_dir(dir).unwrap_or_else(|e| panic!("{e}"));
    println!("{}:\n{}", dir.display(), report(&results));
    let summary = summarize(&results);
    assert!(
        summary.total.total() > 0,
        "no requests judged in {}",
        dir.display()
    );
    let mut problems = Vec::new();
    for case in &results {
        if let Some(e) = &case.error {
            problems.push(format!("{:?}: {e}", case.file));
        }
        for r in &case.requests {
            match r.result {
                Verdict::Fail => problems.push(format!("{:?} | {} failed", case.file, r.name)),
                Verdict::Skip if !UNSUPPORTED.iter().any(|(c, _)| *c == case.category) => problems
                    .push(format!(
                        "{:?} | {} skipped in supported category {}",
                        case.file, r.name, case.category
                    )),
                _ => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every request of the upstream cases in a supported category passes.
#[test]
fn upstream_cases_pass() {
    judge_dir(&cases_dir());
}

/// Every request of our own cases passes.
#[test]
fn own_cases_pass() {
    judge_dir(&own_cases_dir());
}
