//! `normalize_path` does not allocate when `out` has `path.len()` bytes of capacity: a
//! counting global allocator (per thread, as in `alloc.rs`) sees nothing while hostile paths
//! are normalized into one reused buffer.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations;
use trieway::normalize::{NormalizeOptions, SlashPolicy};

const PATHS: &[&str] = &[
    "/",
    "/admin",
    "/public/../admin",
    "/public/..%2Fadmin",
    "/admin//x/./y/../",
    "/%61dmin/%c3%a9/%7e",
    "/a\\b/%5c",
    "/../../../..",
    "/%",
    "",
    "/é/ü//./..",
    "/.%2e/%2E./x",
];

#[test]
fn positive_control_counts() {
    let (_, n) = allocations(|| Vec::<u8>::with_capacity(10));
    assert_eq!(n, 1);
    let mut small = String::new();
    let (_, n) = allocations(|| NormalizeOptions::default().normalize_path("/grow", &mut small));
    assert!(n >= 1, "a buffer without capacity must grow");
}

#[test]
fn normalize_path_reuses_its_buffer() {
    let longest = PATHS.iter().map(|p| p.len()).max().unwrap();
    let mut out = String::with_capacity(longest);
    let all = [
        NormalizeOptions::default(),
        NormalizeOptions {
            merge_slashes: false,
            decode_unreserved: false,
            encoded_slash: SlashPolicy::Keep,
            backslash: SlashPolicy::Keep,
        },
    ];
    let (ok, n) = allocations(|| {
        let mut ok = 0;
        for _ in 0..100 {
            for opts in &all {
                for p in PATHS {
                    ok += usize::from(opts.normalize_path(p, &mut out).is_ok());
                }
            }
        }
        ok
    });
    assert_eq!(n, 0, "normalize_path allocated");
    assert!(ok > 0);
    // The output never outgrows the input.
    for p in PATHS {
        let mut exact = String::with_capacity(p.len());
        let (_, n) = allocations(|| all[1].normalize_path(p, &mut exact));
        assert_eq!(n, 0, "{p}");
    }
}

#[test]
fn normalize_host_does_not_allocate() {
    let mut buf = [0u8; 256];
    let (host, n) = allocations(|| {
        NormalizeOptions::normalize_host("Admin.Example.COM.:443", &mut buf).map(str::len)
    });
    assert_eq!(n, 0);
    assert_eq!(host, Some("admin.example.com".len()));
}
