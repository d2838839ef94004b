//! Lean list reads for the big lists of an inspection (projects, users, workspaces): each page
//! is decoded straight into small structs holding only the fields ksmc keeps, instead of
//! `DynamicObject`s (a `serde_json::Value` tree per object) or full `ObjectMeta`s. Unknown
//! fields are skipped by the decoder without being stored — a User's password hash included.
//!
//! Projects and workspaces are asked for as `PartialObjectMetadataList` (what `kubectl` and
//! kube-rs's `list_metadata` ask for); a server that ignores that `Accept` answers the full
//! objects, which decode the same way.

use std::collections::BTreeMap;

use kube::api::{ApiResource, DynamicObject, ListParams};
use kube::core::{Request, Resource as _};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::PAGE;
use super::model::{FactError, Listed};
use super::read::{deadline, is_not_found};
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
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub owner_references: Vec<LeanOwner>,
}

impl LeanMeta {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }
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

/// Lists every object of a cluster-scoped type page by page, decoding each item as `T`.
/// `Ok(None)` when the type is not served (CRD not installed).
pub(super) async fn list_lean<T: DeserializeOwned>(
    client: &kube::Client,
    ar: &ApiResource,
    params: ListParams,
    shape: Shape,
) -> Result<Option<Vec<T>>, ClusterError> {
    let request = Request::new(DynamicObject::url_path(ar, None));
    let mut params = params.limit(PAGE);
    let mut out = Vec::new();
    loop {
        let http = match shape {
            Shape::Full => request.list(&params),
            Shape::Metadata => request.list_metadata(&params),
        }
        .map_err(|e| ClusterError::Unreachable(e.to_string()))?;
        let page: Page<T> = match deadline(client.request(http)).await {
            Ok(p) => p,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        out.extend(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(Some(out)),
        }
    }
}

/// [`list_lean`] as a fact: a failure other than "not installed" is kept as a fact error.
pub(super) async fn listed_lean<L: DeserializeOwned, T>(
    client: &kube::Client,
    ar: ApiResource,
    params: ListParams,
    shape: Shape,
    source: &str,
    map: fn(L) -> T,
) -> (Listed<T>, Vec<FactError>) {
    match list_lean(client, &ar, params, shape).await {
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
