//! The fuzz entry of the API server (`fuzz/fuzz_targets/sim_request.rs`): one request given as
//! the raw bytes of an HTTP/1.1 request — request line, headers, a blank line, the body — is
//! served by [`super::handle`] exactly as a request from the socket would be: routing, query
//! parsing, label and field selectors, continue tokens, watch parameters, JSON/YAML/protobuf
//! bodies, patches and delete options, and the store's write rules. Not part of the API.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request};

use crate::cluster::SimCluster;

/// Splits the head from the body at the first blank line (CRLF or LF).
fn split_head(raw: &[u8]) -> (&[u8], &[u8]) {
    for (i, w) in raw.windows(2).enumerate() {
        if w == b"\n\n" {
            return (&raw[..i], &raw[i + 2..]);
        }
        if w == b"\r\n" && raw[i + 2..].starts_with(b"\r\n") {
            return (&raw[..i], &raw[i + 4..]);
        }
    }
    (raw, &[])
}

/// Serves `raw` on `cluster` and returns the response's status; `None` when hyper itself
/// would refuse the bytes as HTTP (bad request line, method, URI or header).
pub async fn raw_request(cluster: &SimCluster, raw: &[u8]) -> Option<u16> {
    let (head, body) = split_head(raw);
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.lines();
    let mut request_line = lines.next()?.split(' ');
    let method = Method::from_bytes(request_line.next()?.as_bytes()).ok()?;
    let uri: hyper::Uri = request_line.next()?.parse().ok()?;
    let mut request = Request::builder().method(method).uri(uri);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        request = request.header(name.trim(), value.trim());
    }
    let request = request.body(Full::new(Bytes::copy_from_slice(body))).ok()?;
    Some(super::handle(cluster, request).await.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{ClusterPlan, Role};

    /// Found by the fuzzer (`fuzz/corpus/sim_request/crash-apply-scalar-yaml.http`): an apply
    /// patch creating an object from a YAML scalar panicked the handler.
    #[tokio::test]
    async fn an_apply_patch_that_is_no_object_is_a_400() {
        let cluster = ClusterPlan::kubesphere("c", Role::Member, "v1.30.9", "jwt")
            .build()
            .unwrap();
        let path =
            "/apis/tenant.kubesphere.io/v1alpha2/workspacetemplates/ws-new?fieldManager=ksmc";
        for body in ["just a string", "[1, 2]", "metadata: 5", "metadata: [a]"] {
            let raw = format!(
                "PATCH {path} HTTP/1.1\r\nContent-Type: application/apply-patch+yaml\r\n\r\n{body}"
            );
            assert_eq!(
                raw_request(&cluster, raw.as_bytes()).await,
                Some(400),
                "{body}"
            );
        }
    }

    #[test]
    fn the_head_ends_at_the_first_blank_line() {
        assert_eq!(
            split_head(b"GET / HTTP/1.1\r\nA: b\r\n\r\n{}\r\n\r\n"),
            (&b"GET / HTTP/1.1\r\nA: b"[..], &b"{}\r\n\r\n"[..])
        );
        assert_eq!(split_head(b"GET /\n\nbody"), (&b"GET /"[..], &b"body"[..]));
        assert_eq!(split_head(b"GET /"), (&b"GET /"[..], &b""[..]));
    }
}
