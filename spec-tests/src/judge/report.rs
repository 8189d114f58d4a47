//! Rendering results like `judge.py` (`format_failure`, `summarize`, `print_report`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CaseResult, RequestResult, Verdict, CATEGORIES};

/// Passed / failed / skipped request counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Requests that passed.
    pub passed: usize,
    /// Requests that failed.
    pub failed: usize,
    /// Requests the engine skipped.
    pub skipped: usize,
}

impl Counts {
    /// All requests counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped
    }

    fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Pass => self.passed += 1,
            Verdict::Fail => self.failed += 1,
            Verdict::Skip => self.skipped += 1,
        }
    }
}

/// Counts per category (in [`CATEGORIES`] order) and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// `(category, counts)` for every category, including empty ones.
    pub categories: Vec<(&'static str, Counts)>,
    /// Counts over all categories.
    pub total: Counts,
}

/// Counts the results per category (`summarize`).
pub fn summarize(results: &[CaseResult]) -> Summary {
    let mut cats: Vec<(&'static str, Counts)> =
        CATEGORIES.iter().map(|c| (*c, Counts::default())).collect();
    let mut total = Counts::default();
    for cr in results {
        let idx = match cats.iter().position(|(c, _)| *c == cr.category) {
            Some(i) => i,
            None => {
                cats.push((cr.category, Counts::default()));
                cats.len() - 1
            }
        };
        for r in &cr.requests {
            cats[idx].1.add(r.result);
            total.add(r.result);
        }
    }
    Summary {
        categories: cats,
        total,
    }
}

/// One failing request in `judge.py`'s wording:
/// `FAIL <case> | <request> | key: expected X, got Y (note); ...`.
pub fn format_failure(case_file: &str, res: &RequestResult) -> String {
    let parts: Vec<String> = res.failures.iter().map(|f| f.message()).collect();
    let stem = case_file.strip_suffix(".json").unwrap_or(case_file);
    format!("FAIL {stem} | {} | {}", res.name, parts.join("; "))
}

/// The per-category table of passed/failed/skipped requests, then the final line
/// `N passed, M failed` (with `, K skipped` when any request was skipped).
pub fn table(results: &[CaseResult]) -> String {
    let summary = summarize(results);
    let header = format!(
        "{:<14} {:>7} {:>7} {:>8} {:>6}",
        "category", "passed", "failed", "skipped", "total"
    );
    let rule = "-".repeat(header.len());
    let row = |name: &str, c: &Counts| {
        format!(
            "{:<14} {:>7} {:>7} {:>8} {:>6}\n",
            name,
            c.passed,
            c.failed,
            c.skipped,
            c.total()
        )
    };
    let mut out = format!("{header}\n{rule}\n");
    for (cat, c) in &summary.categories {
        if c.total() > 0 {
            out.push_str(&row(cat, c));
        }
    }
    let t = summary.total;
    out.push_str(&format!("{rule}\n"));
    out.push_str(&row("all", &t));
    out.push_str(&format!("{} passed, {} failed", t.passed, t.failed));
    if t.skipped > 0 {
        out.push_str(&format!(", {} skipped", t.skipped));
    }
    out.push('\n');
    out
}

/// The whole report of `judge.py`: an `ERROR` line per failed case run, a `FAIL` line per
/// failing request, a blank line, then [`table`].
pub fn report(results: &[CaseResult]) -> String {
    let mut out = String::new();
    for cr in results {
        let file = cr
            .file
            .clone()
            .or_else(|| cr.name.clone())
            .unwrap_or_default();
        if let Some(err) = &cr.error {
            out.push_str(&format!("ERROR {file}: {err}\n"));
        }
        for r in cr.requests.iter().filter(|r| r.result == Verdict::Fail) {
            out.push_str(&format_failure(&file, r));
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(&table(results));
    out
}

/// Verdict counts per case name, handy in tests.
pub fn counts_by_case(results: &[CaseResult]) -> BTreeMap<String, Counts> {
    let mut out = BTreeMap::new();
    for cr in results {
        let key = cr
            .file
            .clone()
            .or_else(|| cr.name.clone())
            .unwrap_or_default();
        let entry: &mut Counts = out.entry(key).or_default();
        for r in &cr.requests {
            entry.add(r.result);
        }
    }
    out
}
