//! Matching (SPEC §3): the example tables as tests.

mod common;
use common::*;

/// §3.3 Exact is byte equality: `/abc` ≠ `/abc/`, `/Abc`, `/abcd`.
#[test]
fn exact_path() {
    let r = router(&route(
        "default",
        "r",
        "  rules: [{matches: [{path: {type: Exact, value: /abc}}]}]",
    ));
    for (p, want) in [
        ("/abc", "default/r#0"),
        ("/abc/", "404"),
        ("/Abc", "404"),
        ("/abcd", "404"),
        ("/abc?x=1", "default/r#0"),
    ] {
        assert_eq!(hit(&r, "GET", "h", p, &[]), want, "{p}");
    }
}

/// §3.3 PathPrefix `/abc` and `/abc/` both match `/abc`, `/abc/`, `/abc/def`, never `/abcd`.
#[test]
fn prefix_path() {
    for v in ["/abc", "/abc/"] {
        let r = router(&route(
            "default",
            "r",
            &format!("  rules: [{{matches: [{{path: {{type: PathPrefix, value: {v}}}}}]}}]"),
        ));
        for (p, want) in [
            ("/abc", "default/r#0"),
            ("/abc/", "default/r#0"),
            ("/abc/def", "default/r#0"),
            ("/abcd", "404"),
            ("/ab", "404"),
        ] {
            assert_eq!(hit(&r, "GET", "h", p, &[]), want, "{v} vs {p}");
        }
    }
}

/// §3.3 RegularExpression is anchored to the whole path and case-sensitive.
#[test]
fn regex_path_anchored() {
    let r = router(&route(
        "default",
        "r",
        "  rules: [{matches: [{path: {type: RegularExpression, value: '/v[0-9]+/users'}}]}]",
    ));
    assert_eq!(hit(&r, "GET", "h", "/v2/users", &[]), "default/r#0");
    assert_eq!(hit(&r, "GET", "h", "/v2/users/1", &[]), "404");
    assert_eq!(hit(&r, "GET", "h", "/x/v2/users", &[]), "404");
    assert_eq!(hit(&r, "GET", "h", "/V2/users", &[]), "404");
}

/// §3.1/§3.2 host: port dropped, case-insensitive, one trailing dot stripped; wildcards cover
/// one or more labels but not the bare suffix.
#[test]
fn host_normalization_and_wildcards() {
    let r = router(&route("default", "r", "  hostnames: ['*.example.com']"));
    for (h, want) in [
        ("a.example.com", "default/r#0"),
        ("A.Example.COM:8080", "default/r#0"),
        ("a.example.com.", "default/r#0"),
        ("a.b.example.com", "default/r#0"),
        ("example.com", "404"),
        ("aexample.com", "404"),
        ("", "404"),
    ] {
        assert_eq!(hit(&r, "GET", h, "/", &[]), want, "{h}");
    }
}

/// §3.4 header names are case-insensitive, values case-sensitive; an absent header fails.
#[test]
fn header_exact() {
    let r = router(&route(
        "default",
        "r",
        "  rules: [{matches: [{headers: [{name: X-Version, value: Two}]}]}]",
    ));
    assert_eq!(
        hit(&r, "GET", "h", "/", &[("x-version", "Two")]),
        "default/r#0"
    );
    assert_eq!(
        hit(&r, "GET", "h", "/", &[("X-VERSION", "Two")]),
        "default/r#0"
    );
    assert_eq!(hit(&r, "GET", "h", "/", &[("x-version", "two")]), "404");
    assert_eq!(hit(&r, "GET", "h", "/", &[]), "404");
}

/// §3.4 repeated headers compare joined with ',' in order.
#[test]
fn header_repeated_join() {
    let r = router(&route(
        "default",
        "r",
        "  rules: [{matches: [{headers: [{name: x, value: '1,2'}]}]}]",
    ));
    assert_eq!(
        hit(&r, "GET", "h", "/", &[("x", "1"), ("X", "2")]),
        "default/r#0"
    );
    assert_eq!(hit(&r, "GET", "h", "/", &[("x", "2"), ("x", "1")]), "404");
}

/// §3.4 header RegularExpression is anchored to the whole value.
#[test]
fn header_regex() {
    let r = router(&route(
        "default",
        "r",
        "  rules: [{matches: [{headers: [{name: x, type: RegularExpression, value: 'v[12]'}]}]}]",
    ));
    assert_eq!(hit(&r, "GET", "h", "/", &[("x", "v1")]), "default/r#0");
    assert_eq!(hit(&r, "GET", "h", "/", &[("x", "v12")]), "404");
}

/// §3.5 query names are case-sensitive, the first occurrence counts, values are raw.
#[test]
fn query_params() {
    let r = router(&route(
        "default",
        "r",
        "  rules: [{matches: [{queryParams: [{name: animal, value: whale}]}]}]",
    ));
    assert_eq!(hit(&r, "GET", "h", "/?animal=whale", &[]), "default/r#0");
    assert_eq!(hit(&r, "GET", "h", "/?ANIMAL=whale", &[]), "404");
    assert_eq!(hit(&r, "GET", "h", "/?animal=Whale", &[]), "404");
    assert_eq!(
        hit(&r, "GET", "h", "/?animal=whale&animal=dolphin", &[]),
        "default/r#0"
    );
    assert_eq!(
        hit(&r, "GET", "h", "/?animal=dolphin&animal=whale", &[]),
        "404"
    );
    assert_eq!(hit(&r, "GET", "h", "/?animal", &[]), "404");
}

/// §3.6 method is exact: `HEAD` does not match `GET`.
#[test]
fn method_exact() {
    let r = router(&route(
        "default",
        "r",
        "  rules: [{matches: [{method: GET}]}]",
    ));
    assert_eq!(hit(&r, "GET", "h", "/", &[]), "default/r#0");
    assert_eq!(hit(&r, "HEAD", "h", "/", &[]), "404");
    assert_eq!(hit(&r, "get", "h", "/", &[]), "404");
}

/// §3.7 composition table, rows 1–2: R2's header match beats R1's bare `/`; `/v2` is element-wise.
#[test]
fn composition_rows_1_2() {
    let r = router(&[
        route("default", "r1", "  rules: [{matches: [{path: {value: /}}, {headers: [{name: version, value: one}]}]}]"),
        route("default", "r2", "  rules: [{matches: [{path: {value: /v2}}, {headers: [{name: version, value: two}]}]}]"),
    ]
    .concat());
    assert_eq!(
        hit(&r, "GET", "h", "/", &[("Version", "two")]),
        "default/r2#0"
    );
    assert_eq!(hit(&r, "GET", "h", "/v2example", &[]), "default/r1#0");
}

/// §3.7 row 3: all conditions of a match must hold.
#[test]
fn composition_row_3() {
    let r = router(&route("default", "r", "  rules: [{matches: [{path: {value: /path4}, headers: [{name: version, value: three}], method: DELETE}]}]"));
    assert_eq!(hit(&r, "DELETE", "h", "/path4", &[]), "404");
    assert_eq!(
        hit(&r, "DELETE", "h", "/path4", &[("version", "three")]),
        "default/r#0"
    );
}

/// §3.7 rows 4–5: two params beat one; query names are case-sensitive.
#[test]
fn composition_rows_4_5() {
    let r = router(&[
        route("default", "two", "  rules: [{matches: [{queryParams: [{name: animal, value: dolphin}, {name: color, value: blue}]}]}]"),
        route("default", "one", "  rules: [{matches: [{queryParams: [{name: animal, value: dolphin}]}]}]"),
        route("default", "upper", "  rules: [{matches: [{queryParams: [{name: ANIMAL, value: Whale}]}]}]"),
    ]
    .concat());
    assert_eq!(
        hit(&r, "GET", "h", "/?animal=dolphin&color=blue", &[]),
        "default/two#0"
    );
    assert_eq!(hit(&r, "GET", "h", "/?animal=whale", &[]), "404");
}
