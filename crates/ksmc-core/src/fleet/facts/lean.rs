//! Lean list reads for the big lists of an inspection (projects, users, workspaces): each page
//! is decoded straight into small structs holding only the fields ksmc keeps, instead of
//! `DynamicObject`s (a `serde_json::Value` tree per object) or full `ObjectMeta`s. Unknown
//! fields are skipped by the decoder without being stored — a User's password hash included.
//!
//! Projects and workspaces are asked for as `PartialObjectMetadataList` (what `kubectl` and
//! kube-rs's `list_metadata` ask for); a server that ignores that `Accept` answers the full
//! objects, which decode the same way.

use kube::api::{ApiResource, DynamicObject, ListParams};
use kube::core::{Request, Resource as _};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::PAGE;
use super::model::{FactError, Listed};
use super::read::{Lane, Reader, deadline, is_not_found, settle};
use crate::error::{AppError, ClusterError};

/// One page of a list: its items and the continue token, nothing else.
#[derive(Deserialize)]
struct Page<T> {
    #[serde(default)]
    metadata: PageMeta,
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

#[derive(Default, Deserialize)]
struct PageMeta {
    #[serde(rename = "continue", default)]
    continue_: Option<String>,
}

/// The metadata ksmc keeps of a listed object.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LeanMeta {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub uid: String,
    #[serde(default)]
    pub labels: LeanLabels,
    #[serde(default)]
    pub owner_references: Vec<LeanOwner>,
}

/// The labels ksmc reads; every other label is skipped without being stored. The names are
/// [`WORKSPACE_LABEL`](super::WORKSPACE_LABEL), [`KUBEFED_MANAGED`](super::KUBEFED_MANAGED)
/// and [`KUBEFED_HOST_NAMESPACE`](super::KUBEFED_HOST_NAMESPACE) (serde needs them literally;
/// a test checks they agree).
#[derive(Debug, Default, Deserialize)]
pub(super) struct LeanLabels {
    #[serde(rename = "kubesphere.io/workspace", default)]
    pub workspace: Option<String>,
    /// The label's value is `true`.
    #[serde(rename = "kubefed.io/managed", default, deserialize_with = "is_true")]
    pub kubefed_managed: bool,
    /// The label's value is `true`.
    #[serde(
        rename = "kubesphere.io/kubefed-host-namespace",
        default,
        deserialize_with = "is_true"
    )]
    pub kubefed_host_namespace: bool,
}

/// Whether a label's value is `true`, read without copying it.
fn is_true<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct IsTrue;
    impl serde::de::Visitor<'_> for IsTrue {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a label value")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
            Ok(v == "true")
        }
    }
    d.deserialize_str(IsTrue)
}

/// An ownerReference as ksmc keeps it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LeanOwner {
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub uid: String,
    #[serde(default)]
    pub controller: Option<bool>,
}

/// An object of which only the metadata is kept (namespaces, workspaces).
#[derive(Debug, Deserialize)]
pub(super) struct MetaOnly {
    #[serde(default)]
    pub metadata: LeanMeta,
}

/// A User: its metadata and e-mail (`spec.password` is skipped unread).
#[derive(Debug, Deserialize)]
pub(super) struct LeanUser {
    #[serde(default)]
    pub metadata: LeanMeta,
    #[serde(default)]
    pub spec: LeanUserSpec,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LeanUserSpec {
    #[serde(default)]
    pub email: Option<String>,
}

/// How the list is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// The objects as stored.
    Full,
    /// `PartialObjectMetadataList` (metadata only).
    Metadata,
}

/// Lists every object of a cluster-scoped type page by page on `lane`, decoding each item as
/// `T`. `Ok(None)` when the type is not served (CRD not installed).
pub(super) async fn list_lean<T: DeserializeOwned>(
    reader: &Reader,
    ar: &ApiResource,
    params: ListParams,
    shape: Shape,
    lane: Lane,
) -> Result<Option<Vec<T>>, ClusterError> {
    let request = Request::new(DynamicObject::url_path(ar, None));
    let mut params = params.limit(PAGE);
    let mut out = Vec::new();
    // One buffer for every page of the list: a page of 500 projects is about 330 KB.
    let mut body = Vec::new();
    loop {
        let http = match shape {
            Shape::Full => request.list(&params),
            Shape::Metadata => request.list_metadata(&params),
        }
        .map_err(|e| ClusterError::Unreachable(e.to_string()))?;
        let held = reader.lane(lane).await;
        let read = deadline(body_of(&reader.client, http, &mut body)).await;
        settle().await;
        drop(held);
        match read {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
        let page: Page<T> = decode(&body, ar)?;
        out.extend(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(Some(out)),
        }
    }
}

/// Reads the body of a successful answer whole into `body`, replacing what it held (an error
/// status is kube's `Error::Api`).
async fn body_of(
    client: &kube::Client,
    request: http::Request<Vec<u8>>,
    body: &mut Vec<u8>,
) -> Result<(), kube::Error> {
    use futures::AsyncReadExt as _;
    body.clear();
    let mut reader = client.request_stream(request).await?;
    reader
        .read_to_end(body)
        .await
        .map_err(kube::Error::ReadEvents)?;
    Ok(())
}

/// Decodes a page straight from the bytes read. A decoding error names where it failed, never
/// what it read (a User's page holds password hashes).
fn decode<T: DeserializeOwned>(body: &[u8], ar: &ApiResource) -> Result<Page<T>, ClusterError> {
    serde_json::from_slice(body).map_err(|e| {
        ClusterError::Unreachable(format!(
            "the list of {} is not readable JSON ({:?} error at line {} column {})",
            ar.plural,
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

/// [`list_lean`] on a lane of its own, as a fact: a failure other than "not installed" is
/// kept as a fact error.
pub(super) async fn listed_lean<L: DeserializeOwned, T>(
    reader: &Reader,
    ar: ApiResource,
    params: ListParams,
    shape: Shape,
    source: &str,
    map: fn(L) -> T,
) -> (Listed<T>, Vec<FactError>) {
    match list_lean(reader, &ar, params, shape, Lane::Own).await {
        Ok(items) => (
            Listed {
                items: items.map(|l| l.into_iter().map(map).collect()),
                source: source.to_owned(),
            },
            Vec::new(),
        ),
        Err(e) => (
            Listed::absent(source),
            vec![FactError {
                source: source.to_owned(),
                error: AppError::from(&e),
            }],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::facts::{KUBEFED_HOST_NAMESPACE, KUBEFED_MANAGED, WORKSPACE_LABEL};

    fn users() -> ApiResource {
        super::super::read::resource("iam.kubesphere.io", "v1alpha2", "User", "users")
    }

    #[test]
    fn the_labels_read_are_the_named_ones_and_only_true_is_true() {
        let page = serde_json::json!({
            "metadata": {"continue": "next"},
            "items": [
                {"metadata": {"name": "p1", "uid": "u1", "labels": {
                    WORKSPACE_LABEL: "ws-a", KUBEFED_MANAGED: "true",
                    KUBEFED_HOST_NAMESPACE: "true", "other": "x"}}},
                {"metadata": {"name": "p2", "labels": {
                    KUBEFED_MANAGED: "True", KUBEFED_HOST_NAMESPACE: "false"}}},
                {"metadata": {"name": "p3"}},
            ]
        });
        let body = serde_json::to_vec(&page).unwrap();
        let page: Page<MetaOnly> = decode(&body, &users()).unwrap();
        assert_eq!(page.metadata.continue_.as_deref(), Some("next"));
        let labels: Vec<_> = page
            .items
            .iter()
            .map(|o| {
                let l = &o.metadata.labels;
                (
                    o.metadata.name.as_str(),
                    l.workspace.as_deref(),
                    l.kubefed_managed,
                    l.kubefed_host_namespace,
                )
            })
            .collect();
        assert_eq!(
            labels,
            [
                ("p1", Some("ws-a"), true, true),
                ("p2", None, false, false),
                ("p3", None, false, false),
            ]
        );
        assert_eq!(page.items[0].metadata.uid, "u1");
    }

    #[test]
    fn an_unreadable_page_is_named_without_quoting_it() {
        // serde_json's own message would quote the string: `invalid type: string "…"`.
        let body = br#"{"items":[{"metadata":{"name":"u","ownerReferences":[{"controller":"SECRETVALUE"}]}}]}"#;
        let Err(e) = decode::<MetaOnly>(body, &users()) else {
            panic!("a controller flag that is not a boolean must not decode");
        };
        let text = e.to_string();
        assert!(text.contains("users"), "{text}");
        assert!(text.contains("Data error at line 1"), "{text}");
        assert!(!text.contains("SECRETVALUE"), "{text}");
        let Err(e) = decode::<LeanUser>(b"<html>not json", &users()) else {
            panic!("HTML must not decode");
        };
        assert!(e.to_string().contains("Syntax error"), "{e}");
    }
}
