//! Issue #14: the conformance cases are valid Gateway API input, so strict unknown-field
//! validation must accept every resource of every case (upstream and ours).

use trieway::{Config, UnknownFields};
use trieway_spec_tests::judge::{collect_case_files, load_case};
use trieway_spec_tests::{cases_dir, own_cases_dir};

#[test]
fn no_case_resource_has_an_unknown_field() {
    let mut resources = 0;
    for dir in [cases_dir(), own_cases_dir()] {
        let files = collect_case_files(&dir).expect("read case files");
        assert!(!files.is_empty(), "no case files in {dir:?}");
        for path in &files {
            let case = load_case(path).unwrap_or_else(|e| panic!("{e}"));
            let mut config = Config::builder().with_unknown_fields(UnknownFields::Error);
            for (i, r) in case["resources"]
                .as_array()
                .expect("resources")
                .iter()
                .enumerate()
            {
                config.add_value(r.clone(), &path.display().to_string(), i);
                resources += 1;
            }
            let config = config.finish();
            let unknown: Vec<String> = config
                .errors()
                .iter()
                .filter(|e| e.message.contains("unknown field"))
                .map(ToString::to_string)
                .collect();
            assert!(unknown.is_empty(), "{unknown:#?}");
        }
    }
    assert!(resources > 500, "{resources}");
}
