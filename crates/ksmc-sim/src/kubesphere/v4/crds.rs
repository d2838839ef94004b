//! The KubeSphere 4.1 kinds, described by our own code.
//!
//! KubeSphere 4.1 ships under the "KubeSphere Open Source License", so its CRD manifests are
//! not copied here (`shared/docs/kubesphere-multicluster.md` §9). Instead this module builds
//! CustomResourceDefinition objects from a short description of each kind: group, versions
//! (storage and deprecated ones), kind, plural, scope, categories, printer columns, and a
//! schema that types the fields the simulator and its clients use and keeps the rest open
//! with `x-kubernetes-preserve-unknown-fields`. The names, versions and columns follow
//! KubeSphere v4.1.3 (`config/ks-core/charts/ks-crds/crds/`).

use serde_json::{Map, Value, json};

use crate::resources::{ResourceType, parse_crd_value};

pub use super::kinds::specs;

/// A printer column: name, type, JSONPath.
pub(super) type Column = (&'static str, &'static str, &'static str);

/// One served version of a kind.
#[derive(Debug, Clone)]
pub struct VersionSpec {
    pub name: &'static str,
    pub storage: bool,
    pub deprecated: bool,
    pub columns: &'static [Column],
    /// The `openAPIV3Schema` of the version.
    pub schema: Value,
}

/// One kind, enough to build its CustomResourceDefinition.
#[derive(Debug, Clone)]
pub struct CrdSpec {
    pub group: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub namespaced: bool,
    pub categories: &'static [&'static str],
    pub versions: Vec<VersionSpec>,
}

impl CrdSpec {
    /// The CustomResourceDefinition object.
    #[must_use]
    pub fn manifest(&self) -> Value {
        let versions: Vec<Value> = self
            .versions
            .iter()
            .map(|v| {
                let mut out = json!({
                    "name": v.name, "served": true, "storage": v.storage,
                    "schema": {"openAPIV3Schema": v.schema},
                    "subresources": {},
                });
                if v.deprecated {
                    out["deprecated"] = json!(true);
                }
                if !v.columns.is_empty() {
                    out["additionalPrinterColumns"] = v
                        .columns
                        .iter()
                        .map(|(name, ty, path)| json!({"name": name, "type": ty, "jsonPath": path}))
                        .collect();
                }
                out
            })
            .collect();
        let mut names = json!({
            "kind": self.kind, "listKind": format!("{}List", self.kind),
            "plural": self.plural, "singular": self.kind.to_ascii_lowercase(),
        });
        if !self.categories.is_empty() {
            names["categories"] = json!(self.categories);
        }
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("{}.{}", self.plural, self.group)},
            "spec": {
                "group": self.group, "names": names,
                "scope": if self.namespaced { "Namespaced" } else { "Cluster" },
                "versions": versions,
            },
        })
    }
}

pub(super) fn string() -> Value {
    json!({"type": "string"})
}

pub(super) fn boolean() -> Value {
    json!({"type": "boolean"})
}

pub(super) fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

/// Any object: its content is not described.
pub(super) fn open() -> Value {
    json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true})
}

/// A list of objects whose content is not described.
pub(super) fn open_list() -> Value {
    json!({"type": "array", "items": open()})
}

/// An object with these properties (and the listed ones required).
pub(super) fn object(properties: &[(&str, Value)], required: &[&str]) -> Value {
    let props: Map<String, Value> = properties
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let mut out = json!({"type": "object", "properties": props});
    if !required.is_empty() {
        out["required"] = json!(required);
    }
    out
}

/// A top-level schema: `apiVersion`, `kind`, `metadata` and these fields.
pub(super) fn top(fields: &[(&str, Value)], required: &[&str]) -> Value {
    let mut all = vec![
        ("apiVersion", string()),
        ("kind", string()),
        ("metadata", json!({"type": "object"})),
    ];
    all.extend(fields.iter().cloned());
    object(&all, required)
}

/// `spec` and an open `status`.
pub(super) fn spec_status(spec: Value, required: &[&str]) -> Value {
    top(&[("spec", spec), ("status", open())], required)
}

pub(super) fn role_ref() -> Value {
    object(
        &[
            ("apiGroup", string()),
            ("kind", string()),
            ("name", string()),
        ],
        &["kind", "name"],
    )
}

pub(super) fn subjects() -> Value {
    json!({"type": "array", "items": object(
        &[("apiGroup", string()), ("kind", string()), ("name", string()), ("namespace", string())],
        &["kind", "name"],
    )})
}

pub(super) fn binding() -> Value {
    top(
        &[("roleRef", role_ref()), ("subjects", subjects())],
        &["roleRef"],
    )
}

pub(super) fn role(required_rules: bool) -> Value {
    let required: &[&str] = if required_rules { &["rules"] } else { &[] };
    top(
        &[("rules", open_list()), ("aggregationRoleTemplates", open())],
        required,
    )
}

pub(super) fn version(
    name: &'static str,
    storage: bool,
    columns: &'static [Column],
    schema: Value,
) -> VersionSpec {
    VersionSpec {
        name,
        storage,
        deprecated: !storage,
        columns,
        schema,
    }
}

/// The resource types of [`specs`].
///
/// # Panics
/// Never in practice: the built manifests are checked by this module's tests.
#[must_use]
pub fn types() -> Vec<ResourceType> {
    specs()
        .iter()
        .map(|s| parse_crd_value(s.manifest()).expect("built KubeSphere 4.1 CRD parses"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::Registry;

    #[test]
    fn the_v41_registry_serves_beta_storage_versions_first() {
        let r = Registry::kubesphere_v41();
        let groups = r.groups();
        let versions = |g: &str| {
            groups
                .iter()
                .find(|(name, _)| name == g)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(
            versions("tenant.kubesphere.io"),
            ["v1beta1", "v1alpha2", "v1alpha1"]
        );
        assert_eq!(versions("iam.kubesphere.io"), ["v1beta1", "v1alpha2"]);
        assert_eq!(versions("kubesphere.io"), ["v1alpha1"]);
        let ws = r
            .find("tenant.kubesphere.io", "v1alpha1", "workspaces")
            .unwrap();
        assert_eq!(ws.preferred_version(), "v1beta1");
        assert!(
            r.find("tenant.kubesphere.io", "v1alpha2", "workspaces")
                .is_none()
        );
        let cluster = r
            .find("cluster.kubesphere.io", "v1alpha1", "clusters")
            .unwrap();
        let cols: Vec<&str> = cluster.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(cols, ["Provider", "Version"]);
        assert!(
            r.find(
                "installer.kubesphere.io",
                "v1alpha1",
                "clusterconfigurations"
            )
            .is_none()
        );
        let rb = r
            .find("iam.kubesphere.io", "v1beta1", "rolebindings")
            .unwrap();
        assert!(rb.namespaced);
    }

    #[test]
    fn schemas_type_what_is_used_and_require_what_4_1_requires() {
        let r = Registry::kubesphere_v41();
        let wst = r
            .find("tenant.kubesphere.io", "v1beta1", "workspacetemplates")
            .unwrap();
        let (causes, unknown) = crate::validate::schema_problems(
            wst,
            "v1beta1",
            &json!({"spec": {"template": {"spec": {"manager": "admin"}}}}),
        );
        assert!(
            causes.iter().any(|c| c.field == "spec.placement"),
            "{causes:?}"
        );
        assert!(unknown.is_empty());
        let (_, unknown) = crate::validate::schema_problems(
            wst,
            "v1beta1",
            &json!({"spec": {"placement": {"clusterSelector": {"matchLabels": {"a": "b"}}},
                "template": {"spec": {"manager": "admin", "networkIsolation": true}}, "bogus": 1}}),
        );
        let mut unknown = unknown;
        unknown.sort();
        assert_eq!(
            unknown,
            ["spec.bogus", "spec.template.spec.networkIsolation"]
        );
        let cluster = r
            .find("cluster.kubesphere.io", "v1alpha1", "clusters")
            .unwrap();
        let (causes, unknown) = crate::validate::schema_problems(
            cluster,
            "v1alpha1",
            &json!({"spec": {"joinFederation": true, "config": "", "connection": {"type": "direct", "kubeconfig": "eA=="}},
                    "status": {"conditions": [{"type": "KSCoreReady", "status": "True"}]}}),
        );
        assert!(
            causes.is_empty() && unknown.is_empty(),
            "{causes:?} {unknown:?}"
        );
    }
}
