//! Cross-check of the Rust judge against `spec-tests/judge.py`.
//!
//! For every mutation of `support::mutations()` the test writes canned decisions for every
//! case, runs `python3 spec-tests/judge.py --engine "<sh printing the canned file>" --json ...`
//! over `spec-tests/cases/` and compares, per request, the verdict and the failures
//! (key, expected, actual, note) with `judge_case` on the same decisions. Failures are compared
//! as sets, since the two judges may list failures from one map in a different order.
//!
//! Skipped with a note when `python3` (3.11+) or `sh` is missing.

mod support;

use support::synthetic;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use trieway_spec_tests::cases_dir;
use trieway_spec_tests::judge::{
    collect_case_files, format_failure, judge_case, load_case, report, CaseResult,
};

fn python_ok() -> bool {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)",
        ])
        .output();
    let sh = Command::new("sh").args(["-c", "exit 0"]).status();
    matches!(out, Ok(o) if o.status.success()) && matches!(sh, Ok(s) if s.success())
}

fn judge_py() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("judge.py")
}

/// Decisions per case file: `(file name, decisions)`.
type PerCase = Vec<(String, Vec<Value>)>;

/// Canonical text of a failure list (sorted), for comparing as sets.
fn failure_set(failures: &Value) -> Vec<String> {
    let mut out: Vec<String> = failures
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| serde_json::to_string(f).unwrap())
        .collect();
    out.sort();
    out
}

fn compare(
    mutation: &str,
    file: &str,
    rust: &CaseResult,
    py: &Value,
    mismatches: &mut Vec<String>,
) {
    let rust_v = serde_json::to_value(rust).unwrap();
    let py_requests = py["requests"].as_array().cloned().unwrap_or_default();
    let rust_requests = rust_v["requests"].as_array().cloned().unwrap_or_default();
    if py_requests.len() != rust_requests.len() {
        mismatches.push(format!("{mutation} {file}: request count differs"));
        return;
    }
    if py["category"] != rust_v["category"] {
        mismatches.push(format!(
            "{mutation} {file}: category {} vs {}",
            py["category"], rust_v["category"]
        ));
    }
    for (p, r) in py_requests.iter().zip(&rust_requests) {
        let name = p["name"].as_str().unwrap_or_default();
        if p["result"] != r["result"] {
            mismatches.push(format!(
                "{mutation} {file} | {name}: python {} / rust {} | python {} | rust {}",
                p["result"], r["result"], p["failures"], r["failures"]
            ));
        } else if failure_set(&p["failures"]) != failure_set(&r["failures"]) {
            mismatches.push(format!(
                "{mutation} {file} | {name}: failures differ | python {} | rust {}",
                p["failures"], r["failures"]
            ));
        } else if p.get("skip_reason") != r.get("skip_reason") {
            mismatches.push(format!("{mutation} {file} | {name}: skip reason differs"));
        }
    }
}

/// Whether a value holds an object with several keys (whose shown key order may differ:
/// Python keeps file order, `serde_json` sorts).
fn has_multi_key_object(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.len() > 1 || m.values().any(has_multi_key_object),
        Value::Array(a) => a.iter().any(has_multi_key_object),
        _ => false,
    }
}

/// For failing requests with one failure, judge.py's `FAIL` line must equal the Rust one.
fn compare_lines(
    mutation: &str,
    file: &str,
    rust: &CaseResult,
    stdout: &str,
    mismatches: &mut Vec<String>,
) {
    let comparable = |r: &&trieway_spec_tests::RequestResult| {
        r.failures.len() == 1
            && !has_multi_key_object(&r.failures[0].expected)
            && !has_multi_key_object(&r.failures[0].actual)
    };
    for r in rust.requests.iter().filter(comparable) {
        let line = format_failure(file, r);
        if !stdout.lines().any(|l| l == line) {
            let prefix = format!("FAIL {} | {} | ", file.trim_end_matches(".json"), r.name);
            let py = stdout
                .lines()
                .find(|l| l.starts_with(&prefix))
                .unwrap_or("<none>");
            mismatches.push(format!(
                "{mutation}: message differs\n  python: {py}\n  rust:   {line}"
            ));
        }
    }
}

/// Runs judge.py over `cases` (a file or directory) with an engine that prints
/// `<dir>/<case stem>.jsonl`, and returns its `--json` document.
fn run_judge_py(dir: &Path, cases: &Path) -> (Value, String) {
    let out_json = dir.join("result.json");
    let engine = format!(
        "sh -c 'exec cat \"$0/$(basename \"$1\" .json).jsonl\"' '{}'",
        dir.display()
    );
    let out = Command::new("python3")
        .arg(judge_py())
        .args(["--engine", &engine, "-j", "2", "--json"])
        .arg(&out_json)
        .arg(cases)
        .output()
        .expect("run judge.py");
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "judge.py failed on {cases:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = serde_json::from_str(&std::fs::read_to_string(&out_json).unwrap()).unwrap();
    (doc, String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn rust_judge_agrees_with_judge_py() {
    if !python_ok() {
        eprintln!("note: python3 >= 3.11 or sh not found; skipping the judge.py cross-check");
        return;
    }
    let work = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("judge-cross-check-{}", std::process::id()));
    let files = collect_case_files(&cases_dir()).unwrap();
    let cases: Vec<(String, Value)> = files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_str().unwrap().to_string(),
                load_case(p).unwrap(),
            )
        })
        .collect();

    // Mutations applied to every decision, plus one that drops the last decision.
    let mut runs: Vec<(String, PerCase)> = Vec::new();
    for (mname, m) in support::mutations() {
        let per_case = cases
            .iter()
            .map(|(file, case)| {
                let decisions = support::requests(case)
                    .iter()
                    .map(|req| {
                        let mut d = support::oracle_decision(req);
                        m(req, &mut d);
                        d
                    })
                    .collect();
                (file.clone(), decisions)
            })
            .collect();
        runs.push((mname.to_string(), per_case));
    }
    let drop_last = cases
        .iter()
        .map(|(file, case)| {
            let mut d = support::oracle_decisions(case);
            d.pop();
            (file.clone(), d)
        })
        .collect();
    runs.push(("drop-last".into(), drop_last));

    let mut mismatches = Vec::new();
    let (mut compared, mut failing) = (0usize, 0usize);
    for (mname, per_case) in &runs {
        let dir = work.join(mname);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, decisions) in per_case {
            let lines: Vec<String> = decisions
                .iter()
                .map(|d| serde_json::to_string(d).unwrap() + "\n")
                .collect();
            let stem = file.strip_suffix(".json").unwrap();
            std::fs::write(dir.join(format!("{stem}.jsonl")), lines.concat()).unwrap();
        }
        let (doc, stdout) = run_judge_py(&dir, &cases_dir());
        for py_case in doc["cases"].as_array().unwrap() {
            let file = py_case["file"].as_str().unwrap();
            let (_, case) = cases.iter().find(|(f, _)| f == file).unwrap();
            let (_, decisions) = per_case.iter().find(|(f, _)| f == file).unwrap();
            let rust = judge_case(case, decisions);
            failing += rust
                .requests
                .iter()
                .filter(|r| !r.failures.is_empty())
                .count();
            compared += rust.requests.len();
            compare(mname, file, &rust, py_case, &mut mismatches);
            compare_lines(mname, file, &rust, &stdout, &mut mismatches);
        }
    }
    // Synthetic requests for rules the bundled cases do not reach (response headers,
    // whitespace-insensitive comparison, gRPC codes, relative redirects, backoff, ...).
    let (case, decisions) = synthetic::case_and_decisions();
    let dir = work.join("synthetic");
    std::fs::create_dir_all(&dir).unwrap();
    let case_path = dir.join("synthetic.json");
    std::fs::write(&case_path, serde_json::to_string_pretty(&case).unwrap()).unwrap();
    let lines: Vec<String> = decisions
        .iter()
        .map(|d| serde_json::to_string(d).unwrap() + "\n")
        .collect();
    std::fs::write(dir.join("synthetic.jsonl"), lines.concat()).unwrap();
    let (doc, stdout) = run_judge_py(&dir, &case_path);
    let rust = judge_case(&case, &decisions);
    compare_lines(
        "synthetic",
        "synthetic.json",
        &rust,
        &stdout,
        &mut mismatches,
    );
    eprintln!(
        "synthetic case, Rust report:\n{}",
        report(&[rust.clone().with_file("synthetic.json")])
    );
    failing += rust
        .requests
        .iter()
        .filter(|r| !r.failures.is_empty())
        .count();
    compared += rust.requests.len();
    compare(
        "synthetic",
        "synthetic.json",
        &rust,
        &doc["cases"][0],
        &mut mismatches,
    );

    let _ = std::fs::remove_dir_all(&work);
    eprintln!(
        "cross-check: {compared} request verdicts compared ({failing} failing) over {} runs",
        runs.len()
    );
    assert!(compared > 0);
    assert!(
        mismatches.is_empty(),
        "{} mismatch(es) between judge.py and the Rust judge:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
