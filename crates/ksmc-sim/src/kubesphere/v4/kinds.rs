//! The KubeSphere 4.1.3 kinds the simulator serves, described for [`super::crds`]: groups,
//! versions (v1beta1 storage for tenant and IAM; the older versions still served and
//! deprecated), kinds, plurals, scopes, categories, printer columns and schemas.

use serde_json::{Value, json};

use super::crds::{
    Column, CrdSpec, binding, boolean, object, open, open_list, role, spec_status, string, strings,
    version,
};

const USER_COLUMNS: &[Column] = &[
    ("Email", "string", ".spec.email"),
    ("Status", "string", ".status.state"),
];
const WORKSPACE_COLUMN: &[Column] = &[(
    "Workspace",
    "string",
    ".metadata.labels.kubesphere\\.io/workspace",
)];
const WORKSPACE_ROLE_COLUMNS: &[Column] = &[
    (
        "Workspace",
        "string",
        ".metadata.labels.kubesphere\\.io/workspace",
    ),
    (
        "Alias",
        "string",
        ".metadata.annotations.kubesphere\\.io/alias-name",
    ),
];
const STATE_COLUMN: &[Column] = &[("State", "string", ".status.state")];
const CLUSTER_COLUMNS: &[Column] = &[
    ("Provider", "string", ".spec.provider"),
    ("Version", "string", ".status.kubernetesVersion"),
];

fn cluster() -> CrdSpec {
    let connection = json!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true,
        "properties": {
            "type": string(), "kubeconfig": {"type": "string", "format": "byte"},
            "kubernetesAPIEndpoint": string(), "kubesphereAPIEndpoint": string(),
            "externalKubernetesAPIEndpoint": string(), "token": string(),
            "kubernetesAPIServerPort": {"type": "integer"}, "kubesphereAPIServerPort": {"type": "integer"},
        },
    });
    let spec = object(
        &[
            ("config", json!({"type": "string", "format": "byte"})),
            ("connection", connection),
            ("enable", boolean()),
            ("externalKubeAPIEnabled", boolean()),
            ("joinFederation", boolean()),
            ("provider", string()),
        ],
        &[],
    );
    CrdSpec {
        group: "cluster.kubesphere.io",
        kind: "Cluster",
        plural: "clusters",
        namespaced: false,
        categories: &[],
        versions: vec![version(
            "v1alpha1",
            true,
            CLUSTER_COLUMNS,
            spec_status(spec, &[]),
        )],
    }
}

fn workspace_template() -> CrdSpec {
    let placement = object(
        &[
            (
                "clusters",
                json!({"type": "array", "items": object(&[("name", string())], &["name"])}),
            ),
            ("clusterSelector", open()),
        ],
        &[],
    );
    let template = object(
        &[
            ("metadata", open()),
            ("spec", object(&[("manager", string())], &[])),
        ],
        &[],
    );
    let beta = object(
        &[("template", template), ("placement", placement)],
        &["placement", "template"],
    );
    let alpha = object(
        &[
            ("template", open()),
            ("placement", open()),
            ("overrides", open_list()),
        ],
        &["placement", "template"],
    );
    CrdSpec {
        group: "tenant.kubesphere.io",
        kind: "WorkspaceTemplate",
        plural: "workspacetemplates",
        namespaced: false,
        categories: &["tenant"],
        versions: vec![
            version("v1alpha2", false, &[], spec_status(alpha, &[])),
            version("v1beta1", true, &[], spec_status(beta, &[])),
        ],
    }
}

fn workspace() -> CrdSpec {
    let alpha = object(
        &[("manager", string()), ("networkIsolation", boolean())],
        &[],
    );
    CrdSpec {
        group: "tenant.kubesphere.io",
        kind: "Workspace",
        plural: "workspaces",
        namespaced: false,
        categories: &["tenant"],
        versions: vec![
            version("v1alpha1", false, &[], spec_status(alpha, &[])),
            version(
                "v1beta1",
                true,
                &[],
                spec_status(object(&[("manager", string())], &[]), &[]),
            ),
        ],
    }
}

fn user() -> CrdSpec {
    let spec = || {
        object(
            &[
                ("email", string()),
                ("lang", string()),
                ("description", string()),
                ("displayName", string()),
                ("groups", strings()),
                ("password", string()),
            ],
            &["email"],
        )
    };
    CrdSpec {
        group: "iam.kubesphere.io",
        kind: "User",
        plural: "users",
        namespaced: false,
        categories: &["iam"],
        versions: vec![
            version(
                "v1alpha2",
                false,
                USER_COLUMNS,
                spec_status(spec(), &["spec"]),
            ),
            version(
                "v1beta1",
                true,
                USER_COLUMNS,
                spec_status(spec(), &["spec"]),
            ),
        ],
    }
}

/// An `iam.kubesphere.io` kind served as v1alpha2 (deprecated) and v1beta1 (storage).
fn iam_pair(
    kind: &'static str,
    plural: &'static str,
    columns: &'static [Column],
    alpha: Value,
    beta: Value,
) -> CrdSpec {
    CrdSpec {
        group: "iam.kubesphere.io",
        kind,
        plural,
        namespaced: false,
        categories: &["iam"],
        versions: vec![
            version("v1alpha2", false, columns, alpha),
            version("v1beta1", true, columns, beta),
        ],
    }
}

/// A namespaced `iam.kubesphere.io` v1beta1 kind (the namespace controller's Role and
/// RoleBinding).
fn iam_namespaced(kind: &'static str, plural: &'static str, schema: Value) -> CrdSpec {
    CrdSpec {
        group: "iam.kubesphere.io",
        kind,
        plural,
        namespaced: true,
        categories: &["iam"],
        versions: vec![version("v1beta1", true, &[], schema)],
    }
}

fn extension() -> CrdSpec {
    CrdSpec {
        group: "kubesphere.io",
        kind: "Extension",
        plural: "extensions",
        namespaced: false,
        categories: &["extensions"],
        versions: vec![version(
            "v1alpha1",
            true,
            STATE_COLUMN,
            spec_status(open(), &[]),
        )],
    }
}

fn install_plan() -> CrdSpec {
    let spec = object(
        &[
            (
                "extension",
                object(
                    &[("name", string()), ("version", string())],
                    &["name", "version"],
                ),
            ),
            ("enabled", boolean()),
            ("upgradeStrategy", string()),
            ("config", string()),
            ("clusterScheduling", open()),
        ],
        &["enabled", "extension"],
    );
    CrdSpec {
        group: "kubesphere.io",
        kind: "InstallPlan",
        plural: "installplans",
        namespaced: false,
        categories: &["extensions"],
        versions: vec![version(
            "v1alpha1",
            true,
            STATE_COLUMN,
            spec_status(spec, &[]),
        )],
    }
}

/// Every KubeSphere 4.1 kind the simulator serves.
#[must_use]
pub fn specs() -> Vec<CrdSpec> {
    vec![
        cluster(),
        workspace_template(),
        workspace(),
        user(),
        iam_pair("GlobalRole", "globalroles", &[], role(false), role(true)),
        iam_pair(
            "GlobalRoleBinding",
            "globalrolebindings",
            &[],
            binding(),
            binding(),
        ),
        iam_pair(
            "WorkspaceRole",
            "workspaceroles",
            WORKSPACE_ROLE_COLUMNS,
            role(false),
            role(true),
        ),
        iam_pair(
            "WorkspaceRoleBinding",
            "workspacerolebindings",
            WORKSPACE_COLUMN,
            binding(),
            binding(),
        ),
        iam_namespaced("Role", "roles", role(false)),
        iam_namespaced("RoleBinding", "rolebindings", binding()),
        extension(),
        install_plan(),
    ]
}
