//! The HTTP(S) listener of one simulated cluster: TLS, bearer-token authentication and one
//! task per connection, all stopped together on shutdown.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::cluster::SimCluster;
use crate::handlers;
use crate::http::{ApiError, Body};

/// Accepts connections until `shutdown` turns true, then stops every open connection.
pub async fn serve(
    cluster: Arc<SimCluster>,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let cluster = cluster.clone();
                let tls = tls.clone();
                connections.spawn(async move { connection(cluster, stream, peer, tls).await });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn connection(
    cluster: Arc<SimCluster>,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
) {
    let secure = tls.is_some();
    let service = service_fn(move |req| {
        let cluster = cluster.clone();
        async move { Ok::<_, Infallible>(authenticated(&cluster, req, secure).await) }
    });
    let result = match tls {
        Some(acceptor) => match acceptor.accept(stream).await {
            Ok(stream) => {
                http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await
            }
            Err(e) => {
                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                return;
            }
        },
        None => {
            http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
}

/// Over HTTPS every request must carry the cluster's bearer token; over plain HTTP (loopback
/// only) kubectl sends no credentials, so requests are anonymous cluster-admins.
async fn authenticated(
    cluster: &SimCluster,
    req: Request<Incoming>,
    secure: bool,
) -> Response<Body> {
    if secure {
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if presented != Some(cluster.admin_token.as_str()) {
            return ApiError::unauthorized().into_response();
        }
    }
    handlers::handle(cluster, req).await
}
