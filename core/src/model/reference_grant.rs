//! ReferenceGrant (SPEC §1.8, §5.2).

use serde::{Deserialize, Serialize};

/// `ReferenceGrant.spec`; the grant lives in the namespace of the *target*.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReferenceGrantSpec {
    /// Who may refer (1–16 entries, OR).
    pub from: Vec<ReferenceGrantFrom>,
    /// To what (1–16 entries, OR).
    pub to: Vec<ReferenceGrantTo>,
}

/// `from[]`: a referrer group/kind in a namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReferenceGrantFrom {
    /// Group (`""` is core).
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace of the referrer.
    pub namespace: String,
}

/// `to[]`: a target group/kind, optionally one name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReferenceGrantTo {
    /// Group (`""` is core).
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Name; absent means every object of that kind in the grant's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}
