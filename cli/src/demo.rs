//! The built-in demo configuration, checked when `trieway check` gets no FILE.

/// The name the demo's documents carry in messages (`examples/demo.yaml#4`).
pub const NAME: &str = "examples/demo.yaml";

/// The demo: a shared Gateway with HTTP and HTTPS listeners and two tenants' routes.
pub const YAML: &str = include_str!("../../examples/demo.yaml");
