//! `/version` and API discovery: legacy (`APIVersions`, `APIGroupList`, `APIResourceList`) and
//! aggregated (`apidiscovery.k8s.io` v2 and v2beta1, echoing the negotiated media type).

use hyper::StatusCode;
use serde_json::{Value, json};

use crate::http::{Reply, Wanted, json_response, ok_json};
use crate::resources::{Registry, ResourceType};

/// What `/version` reports.
#[derive(Clone, Debug)]
pub struct VersionInfo {
    /// e.g. `v1.32.4`.
    pub git_version: String,
}

impl VersionInfo {
    #[must_use]
    pub fn new(git_version: impl Into<String>) -> Self {
        Self {
            git_version: git_version.into(),
        }
    }

    #[must_use]
    pub fn body(&self) -> Value {
        let v = self.git_version.trim_start_matches('v');
        let mut parts = v.split('.');
        let major = parts.next().unwrap_or("1");
        let minor = parts.next().unwrap_or("0");
        json!({
            "major": major,
            "minor": minor,
            "gitVersion": self.git_version,
            "gitCommit": "ksmc-sim",
            "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z",
            "goVersion": "go1.23.0",
            "compiler": "gc",
            "platform": "linux/amd64",
        })
    }
}

fn verbs(ty: &ResourceType) -> Vec<&'static str> {
    if ty.kind == "Node" {
        vec!["get", "list", "watch"]
    } else {
        vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ]
    }
}

fn subresource_verbs(sub: &str) -> Vec<&'static str> {
    if sub == "finalize" {
        vec!["update"]
    } else {
        vec!["get", "patch", "update"]
    }
}

/// `GET /api`.
pub fn core_versions(wanted: Wanted, registry: &Registry) -> Reply {
    match wanted {
        Wanted::AggregatedDiscovery(v) => Ok(aggregated(
            v,
            &[(String::new(), vec!["v1".into()])],
            registry,
        )),
        _ => Ok(ok_json(&json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
        }))),
    }
}

/// `GET /apis`.
pub fn groups(wanted: Wanted, registry: &Registry) -> Reply {
    let groups = registry.groups();
    match wanted {
        Wanted::AggregatedDiscovery(v) => Ok(aggregated(v, &groups, registry)),
        _ => Ok(ok_json(&json!({
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": groups.iter().map(|(g, vs)| api_group(g, vs)).collect::<Vec<_>>(),
        }))),
    }
}

/// `GET /apis/<group>`.
#[must_use]
pub fn group(registry: &Registry, name: &str) -> Option<Value> {
    registry
        .groups()
        .into_iter()
        .find(|(g, _)| g == name)
        .map(|(g, vs)| {
            let mut v = api_group(&g, &vs);
            v["kind"] = json!("APIGroup");
            v["apiVersion"] = json!("v1");
            v
        })
}

fn api_group(name: &str, versions: &[String]) -> Value {
    let gv = |v: &String| json!({"groupVersion": format!("{name}/{v}"), "version": v});
    json!({
        "name": name,
        "versions": versions.iter().map(gv).collect::<Vec<_>>(),
        "preferredVersion": versions.first().map(gv),
    })
}

/// `GET /api/v1` or `/apis/<group>/<version>`: the legacy resource list.
#[must_use]
pub fn resource_list(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let types: Vec<&ResourceType> = registry.in_group_version(group, version).collect();
    if types.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for ty in types {
        let mut r = json!({
            "name": ty.plural,
            "singularName": ty.singular,
            "namespaced": ty.namespaced,
            "kind": ty.kind,
            "verbs": verbs(ty),
            "storageVersionHash": storage_hash(ty),
        });
        if !ty.short_names.is_empty() {
            r["shortNames"] = json!(ty.short_names);
        }
        if !ty.categories.is_empty() {
            r["categories"] = json!(ty.categories);
        }
        resources.push(r);
        for sub in &ty.subresources {
            resources.push(json!({
                "name": format!("{}/{}", ty.plural, sub),
                "singularName": "",
                "namespaced": ty.namespaced,
                "kind": ty.kind,
                "verbs": subresource_verbs(sub),
            }));
        }
    }
    let group_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}

fn storage_hash(ty: &ResourceType) -> String {
    // Stable per type; clients only compare it for equality.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{}/{}", ty.group, ty.plural).bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:011x}", h & 0xfff_ffff_ffff)
}

fn aggregated(
    version: &str,
    groups: &[(String, Vec<String>)],
    registry: &Registry,
) -> hyper::Response<crate::http::Body> {
    let items: Vec<Value> = groups
        .iter()
        .map(|(g, vs)| {
            let versions: Vec<Value> = vs
                .iter()
                .map(|v| {
                    let resources: Vec<Value> = registry
                        .in_group_version(g, v)
                        .map(|ty| aggregated_resource(ty, v))
                        .collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let mut meta = json!({"creationTimestamp": null});
            if !g.is_empty() {
                meta["name"] = json!(g);
            }
            json!({"metadata": meta, "versions": versions})
        })
        .collect();
    let body = json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": format!("apidiscovery.k8s.io/{version}"),
        "metadata": {},
        "items": items,
    });
    let content_type =
        format!("application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList");
    json_response(StatusCode::OK, &content_type, &body)
}

fn aggregated_resource(ty: &ResourceType, version: &str) -> Value {
    let response_kind = json!({"group": ty.group, "version": version, "kind": ty.kind});
    let mut r = json!({
        "resource": ty.plural,
        "responseKind": response_kind,
        "scope": if ty.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": ty.singular,
        "verbs": verbs(ty),
    });
    if !ty.short_names.is_empty() {
        r["shortNames"] = json!(ty.short_names);
    }
    if !ty.categories.is_empty() {
        r["categories"] = json!(ty.categories);
    }
    if !ty.subresources.is_empty() {
        r["subresources"] = json!(
            ty.subresources
                .iter()
                .map(|s| json!({
                    "subresource": s,
                    "responseKind": response_kind,
                    "verbs": subresource_verbs(s),
                }))
                .collect::<Vec<_>>()
        );
    }
    r
}
