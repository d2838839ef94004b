//! The resource types a simulated cluster serves: built-in Kubernetes kinds and the KubeSphere
//! custom resources, described from the real CRD manifests.

use serde::Deserialize;
use serde_json::Value;

/// A printer column of `kubectl get` (the CRD `additionalPrinterColumns`, or the built-in
/// columns of a core kind).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// OpenAPI type: `string`, `integer`, `number`, `boolean` or `date`.
    pub kind: String,
    pub format: String,
    pub description: String,
    pub priority: i64,
    /// A simple JSONPath such as `.status.phase`.
    pub json_path: String,
}

/// One served resource (a plural under a group), with everything discovery and tables need.
#[derive(Clone, Debug)]
pub struct ResourceType {
    /// `""` for the core group.
    pub group: String,
    /// Served versions, preferred first.
    pub versions: Vec<String>,
    pub kind: String,
    pub list_kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub columns: Vec<Column>,
    /// Subresources such as `status` or `finalize`.
    pub subresources: Vec<String>,
    /// Built-in kinds accept strategic merge patches; custom resources do not.
    pub builtin: bool,
    /// The CRD manifest this type came from, for `customresourcedefinitions` and OpenAPI.
    pub crd: Option<Value>,
}

impl ResourceType {
    /// `apiVersion` for a version of this type (`v1` for core, `group/version` otherwise).
    #[must_use]
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_owned()
        } else {
            format!("{}/{}", self.group, version)
        }
    }

    /// The preferred (storage-facing) version.
    #[must_use]
    pub fn preferred_version(&self) -> &str {
        self.versions.first().map_or("v1", String::as_str)
    }

    /// `plural.group`, or `plural` for the core group, as Kubernetes names the resource in
    /// messages such as `namespaces "x" not found`.
    #[must_use]
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The storage key of this type: group and plural.
    #[must_use]
    pub fn key(&self) -> ResourceKey {
        ResourceKey {
            group: self.group.clone(),
            plural: self.plural.clone(),
        }
    }
}

/// Identifies a resource type independently of the version it is served under.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceKey {
    pub group: String,
    pub plural: String,
}

/// Errors loading a CRD manifest.
#[derive(Debug, thiserror::Error)]
pub enum CrdError {
    #[error("CRD manifest is not valid YAML: {0}")]
    Yaml(String),
    #[error("CRD manifest is missing {0}")]
    Missing(&'static str),
}

/// The set of resource types served by one simulated cluster.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    types: Vec<ResourceType>,
}

impl Registry {
    /// The built-in Kubernetes kinds plus the KubeSphere 3.4 CRDs embedded in this crate.
    ///
    /// # Panics
    /// Never in practice: the embedded manifests are checked by the crate's tests.
    #[must_use]
    pub fn kubesphere_v34() -> Self {
        // Parsed once per process: every 3.4 cluster (and every fuzz input) starts from it.
        static V34: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
        V34.get_or_init(|| {
            let mut registry = Self::builtin();
            for manifest in KUBESPHERE_V34_CRDS {
                let crd = parse_crd(manifest).expect("embedded KubeSphere CRD parses");
                registry.add(crd);
            }
            registry
        })
        .clone()
    }

    /// The built-in Kubernetes kinds plus the KubeSphere 4.1 kinds. Their CRDs are built by
    /// the project's own code ([`crate::kubesphere::v4::crds`]), not embedded: the 4.1
    /// manifests' licence does not allow copying them.
    #[must_use]
    pub fn kubesphere_v41() -> Self {
        let mut registry = Self::builtin();
        for ty in crate::kubesphere::v4::crds::types() {
            registry.add(ty);
        }
        registry
    }

    /// Only the built-in Kubernetes kinds, `customresourcedefinitions` included (every API
    /// server serves it; see [`crate::openapi::crd_type`]).
    #[must_use]
    pub fn builtin() -> Self {
        let mut types = builtin_types();
        types.push(crate::openapi::crd_type());
        Self { types }
    }

    /// Adds (or replaces) a type.
    pub fn add(&mut self, ty: ResourceType) {
        self.types.retain(|t| t.key() != ty.key());
        self.types.push(ty);
    }

    /// Adds a type from a CRD manifest in YAML.
    ///
    /// # Errors
    /// When the manifest is not YAML or lacks the fields a CRD must have.
    pub fn add_crd_yaml(&mut self, yaml: &str) -> Result<(), CrdError> {
        let ty = parse_crd(yaml)?;
        self.add(ty);
        Ok(())
    }

    #[must_use]
    pub fn types(&self) -> &[ResourceType] {
        &self.types
    }

    /// The type served at `group/version` under `plural`.
    #[must_use]
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types.iter().find(|t| {
            t.group == group && t.plural == plural && t.versions.iter().any(|v| v == version)
        })
    }

    /// The type of a storage key.
    #[must_use]
    pub fn by_key(&self, key: &ResourceKey) -> Option<&ResourceType> {
        self.types.iter().find(|t| &t.key() == key)
    }

    /// API groups (without the core group) with their versions, in Kubernetes' discovery
    /// order: versions sorted GA > beta > alpha, then by number, preferred first.
    #[must_use]
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for ty in self.types.iter().filter(|t| !t.group.is_empty()) {
            let entry = match groups.iter_mut().find(|(g, _)| *g == ty.group) {
                Some(entry) => entry,
                None => {
                    groups.push((ty.group.clone(), Vec::new()));
                    groups.last_mut().expect("just pushed")
                }
            };
            for v in &ty.versions {
                if !entry.1.contains(v) {
                    entry.1.push(v.clone());
                }
            }
        }
        for (_, versions) in &mut groups {
            versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        }
        groups
    }

    /// The types served under one group version.
    pub fn in_group_version<'a>(
        &'a self,
        group: &'a str,
        version: &'a str,
    ) -> impl Iterator<Item = &'a ResourceType> + 'a {
        self.types
            .iter()
            .filter(move |t| t.group == group && t.versions.iter().any(|v| v == version))
    }
}

/// Kubernetes' version ordering key: GA > beta > alpha, then higher numbers first.
fn version_priority(v: &str) -> (u8, u32, u32) {
    let rest = v.strip_prefix('v').unwrap_or(v);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (level, minor) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (level, major, minor)
}

const KUBESPHERE_V34_CRDS: &[&str] = &[
    include_str!("../crds/v3.4/cluster.kubesphere.io_clusters.yaml"),
    include_str!("../crds/v3.4/iam.kubesphere.io_globalrolebindings.yaml"),
    include_str!("../crds/v3.4/iam.kubesphere.io_globalroles.yaml"),
    include_str!("../crds/v3.4/iam.kubesphere.io_users.yaml"),
    include_str!("../crds/v3.4/iam.kubesphere.io_workspacerolebindings.yaml"),
    include_str!("../crds/v3.4/iam.kubesphere.io_workspaceroles.yaml"),
    include_str!("../crds/v3.4/installer.kubesphere.io_clusterconfigurations.yaml"),
    include_str!("../crds/v3.4/tenant.kubesphere.io_workspaces.yaml"),
    include_str!("../crds/v3.4/tenant.kubesphere.io_workspacetemplates.yaml"),
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CrdNames {
    kind: String,
    list_kind: Option<String>,
    plural: String,
    singular: Option<String>,
    #[serde(default)]
    short_names: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CrdColumn {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    priority: i64,
    json_path: String,
}

/// Parses a CRD manifest (YAML) into a resource type.
///
/// # Errors
/// When the manifest is not YAML or lacks the fields a CRD must have.
pub fn parse_crd(yaml: &str) -> Result<ResourceType, CrdError> {
    let crd: Value = serde_saphyr::from_str(yaml).map_err(|e| CrdError::Yaml(e.to_string()))?;
    parse_crd_value(crd)
}

/// A resource type from a CRD manifest already parsed (or built) as JSON.
///
/// # Errors
/// When the manifest lacks the fields a CRD must have.
pub fn parse_crd_value(crd: Value) -> Result<ResourceType, CrdError> {
    let spec = crd.get("spec").ok_or(CrdError::Missing("spec"))?;
    let group = spec
        .get("group")
        .and_then(Value::as_str)
        .ok_or(CrdError::Missing("spec.group"))?
        .to_owned();
    let names: CrdNames = serde_json::from_value(
        spec.get("names")
            .cloned()
            .ok_or(CrdError::Missing("spec.names"))?,
    )
    .map_err(|_| CrdError::Missing("spec.names.kind/plural"))?;
    let namespaced = spec.get("scope").and_then(Value::as_str) == Some("Namespaced");
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .ok_or(CrdError::Missing("spec.versions"))?;
    let served: Vec<&Value> = versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool) != Some(false))
        .collect();
    let mut version_names: Vec<String> = served
        .iter()
        .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    version_names.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
    let preferred = served.iter().find(|v| {
        v.get("name").and_then(Value::as_str) == version_names.first().map(String::as_str)
    });
    let columns: Vec<CrdColumn> = preferred
        .and_then(|v| v.get("additionalPrinterColumns"))
        .map(|c| serde_json::from_value(c.clone()))
        .transpose()
        .map_err(|_| CrdError::Missing("additionalPrinterColumns[].name/type/jsonPath"))?
        .unwrap_or_default();
    let mut columns: Vec<Column> = columns
        .into_iter()
        .map(|c| Column {
            name: c.name,
            kind: c.kind,
            format: c.format,
            description: c.description,
            priority: c.priority,
            json_path: c.json_path,
        })
        .collect();
    // Like the apiextensions table convertor: a CRD without columns shows its age.
    if columns.is_empty() {
        columns.push(age_column());
    }
    let subresources = preferred
        .and_then(|v| v.get("subresources"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    Ok(ResourceType {
        singular: names
            .singular
            .unwrap_or_else(|| names.kind.to_ascii_lowercase()),
        list_kind: names
            .list_kind
            .unwrap_or_else(|| format!("{}List", names.kind)),
        kind: names.kind,
        plural: names.plural,
        short_names: names.short_names,
        categories: names.categories,
        group,
        versions: version_names,
        namespaced,
        columns,
        subresources,
        builtin: false,
        crd: Some(crd),
    })
}

fn age_column() -> Column {
    Column {
        name: "Age".into(),
        kind: "date".into(),
        format: String::new(),
        description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.".into(),
        priority: 0,
        json_path: ".metadata.creationTimestamp".into(),
    }
}

fn column(name: &str, kind: &str, json_path: &str, description: &str, priority: i64) -> Column {
    Column {
        name: name.into(),
        kind: kind.into(),
        format: String::new(),
        description: description.into(),
        priority,
        json_path: json_path.into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn core(
    kind: &str,
    plural: &str,
    namespaced: bool,
    short_names: &[&str],
    columns: Vec<Column>,
    subresources: &[&str],
) -> ResourceType {
    ResourceType {
        group: String::new(),
        versions: vec!["v1".into()],
        kind: kind.into(),
        list_kind: format!("{kind}List"),
        plural: plural.into(),
        singular: kind.to_ascii_lowercase(),
        namespaced,
        short_names: short_names.iter().map(|s| (*s).to_owned()).collect(),
        categories: Vec::new(),
        columns,
        subresources: subresources.iter().map(|s| (*s).to_owned()).collect(),
        builtin: true,
        crd: None,
    }
}

/// A built-in kind of a named group, served as `v1` only.
fn grouped(
    group: &str,
    kind: &str,
    plural: &str,
    namespaced: bool,
    columns: Vec<Column>,
) -> ResourceType {
    ResourceType {
        group: group.into(),
        versions: vec!["v1".into()],
        kind: kind.into(),
        list_kind: format!("{kind}List"),
        plural: plural.into(),
        singular: kind.to_ascii_lowercase(),
        namespaced,
        short_names: Vec::new(),
        categories: Vec::new(),
        columns,
        subresources: Vec::new(),
        builtin: true,
        crd: None,
    }
}

fn rbac(kind: &str, plural: &str, namespaced: bool) -> ResourceType {
    grouped(
        "rbac.authorization.k8s.io",
        kind,
        plural,
        namespaced,
        vec![column(
            "Created At",
            "string",
            ".metadata.creationTimestamp",
            "",
            0,
        )],
    )
}

fn builtin_types() -> Vec<ResourceType> {
    vec![
        core(
            "Namespace",
            "namespaces",
            false,
            &["ns"],
            vec![
                column(
                    "Status",
                    "string",
                    ".status.phase",
                    "The status of the namespace",
                    0,
                ),
                age_column(),
            ],
            &["status", "finalize"],
        ),
        core(
            "ConfigMap",
            "configmaps",
            true,
            &["cm"],
            vec![
                column("Data", "integer", "#data", "Number of data items", 0),
                age_column(),
            ],
            &[],
        ),
        core(
            "Secret",
            "secrets",
            true,
            &[],
            vec![
                column("Type", "string", ".type", "The type of the secret", 0),
                column("Data", "integer", "#data", "Number of data items", 0),
                age_column(),
            ],
            &[],
        ),
        core(
            "ServiceAccount",
            "serviceaccounts",
            true,
            &["sa"],
            vec![
                column("Secrets", "string", "#secrets", "Number of secrets", 0),
                age_column(),
            ],
            &[],
        ),
        core(
            "Node",
            "nodes",
            false,
            &["no"],
            vec![
                column(
                    "Status",
                    "string",
                    "@nodeStatus",
                    "The status of the node",
                    0,
                ),
                column("Roles", "string", "@nodeRoles", "The roles of the node", 0),
                age_column(),
                column(
                    "Version",
                    "string",
                    ".status.nodeInfo.kubeletVersion",
                    "Kubelet Version reported by the node.",
                    0,
                ),
            ],
            &["status"],
        ),
        core(
            "ResourceQuota",
            "resourcequotas",
            true,
            &["quota"],
            vec![age_column()],
            &["status"],
        ),
        core(
            "LimitRange",
            "limitranges",
            true,
            &["limits"],
            vec![age_column()],
            &[],
        ),
        rbac("ClusterRole", "clusterroles", false),
        rbac("ClusterRoleBinding", "clusterrolebindings", false),
        rbac("Role", "roles", true),
        rbac("RoleBinding", "rolebindings", true),
        // `kubectl get leases` prints NAME, HOLDER, AGE.
        grouped(
            "coordination.k8s.io",
            "Lease",
            "leases",
            true,
            vec![
                column(
                    "Holder",
                    "string",
                    ".spec.holderIdentity",
                    "The holder of the lease",
                    0,
                ),
                age_column(),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_crds_describe_kubesphere_kinds() {
        let r = Registry::kubesphere_v34();
        let cluster = r
            .find("cluster.kubesphere.io", "v1alpha1", "clusters")
            .expect("clusters served");
        assert!(!cluster.namespaced);
        assert_eq!(cluster.kind, "Cluster");
        assert_eq!(
            cluster
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["Federated", "Provider", "Active", "Version"]
        );
        let cc = r
            .find(
                "installer.kubesphere.io",
                "v1alpha1",
                "clusterconfigurations",
            )
            .expect("cc served");
        assert!(cc.namespaced);
        assert_eq!(cc.short_names, ["cc"]);
        let groups = r.groups();
        let tenant = groups
            .iter()
            .find(|(g, _)| g == "tenant.kubesphere.io")
            .expect("tenant group");
        assert_eq!(tenant.1, ["v1alpha2", "v1alpha1"]);
    }

    #[test]
    fn version_order_matches_kubernetes() {
        let mut v = vec!["v1alpha1", "v1", "v1beta1", "v2", "v1alpha2"];
        v.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        assert_eq!(v, ["v2", "v1", "v1beta1", "v1alpha2", "v1alpha1"]);
    }

    #[test]
    fn malformed_crd_is_rejected_with_reason() {
        let err = parse_crd("spec: {group: x}").unwrap_err();
        assert!(err.to_string().contains("spec.names"), "{err}");
        assert!(matches!(parse_crd("a: [b"), Err(CrdError::Yaml(_))));
    }
}
