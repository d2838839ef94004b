//! The HTTP(S) listener of one simulated cluster: TLS, bearer-token authentication, the
//! cluster's faults (see [`crate::faults`]) and one task per connection, all stopped together on
//! shutdown. Over TLS a client may choose HTTP/2 by ALPN, as kube-apiserver offers it; an
//! injected reset then fails the one request (its stream is reset) as it fails the one
//! request of an HTTP/1.1 connection, and a partition holds or resets every new request
//! either way.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Request, Response, header};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::cluster::SimCluster;
use crate::faults::{ClusterFaults, Fault, Partition, PartitionChange};
use crate::handlers;
use crate::http::{ApiError, Body};

/// Accepts connections until `shutdown` turns true, then stops every open connection.
pub async fn serve(
    cluster: Arc<SimCluster>,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    faults: Arc<ClusterFaults>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                if faults.partition() == Some(Partition::Reset) {
                    reset(stream);
                    continue;
                }
                let cluster = cluster.clone();
                let tls = tls.clone();
                let faults = faults.clone();
                connections.spawn(async move { connection(cluster, faults, stream, peer, tls).await });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

/// Closes a connection with a TCP reset instead of an orderly close.
fn reset(stream: TcpStream) {
    // A zero linger never blocks on close (the reason `set_linger` is deprecated).
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

async fn connection(
    cluster: Arc<SimCluster>,
    faults: Arc<ClusterFaults>,
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
) {
    // A hanging partition holds a new connection before its TLS handshake, as a dropped packet
    // would: the client's connect deadline expires.
    if !faults.pass_partition().await {
        reset(stream);
        return;
    }
    // As Go's net/http (kube-apiserver) does: small HTTP/2 frames (window updates, a
    // response's headers) are not held back by Nagle's algorithm waiting for an ACK.
    let _ = stream.set_nodelay(true);
    let secure = tls.is_some();
    let counted = faults.clone();
    let killed = Arc::new(AtomicBool::new(false));
    let io = FaultIo {
        stream: Some(stream),
        killed: killed.clone(),
    };
    let service = service_fn(move |req| {
        let cluster = cluster.clone();
        let faults = faults.clone();
        let killed = killed.clone();
        async move {
            let response = respond(&cluster, &faults, req, secure, &killed).await?;
            Ok::<_, Dropped>(response.map(|inner| FaultBody {
                inner,
                faults,
                killed,
                change: None,
            }))
        }
    });
    let result = match tls {
        Some(acceptor) => match acceptor.accept(io).await {
            Ok(stream) => {
                counted.count_handshake();
                // HTTP/2 when the client chose it by ALPN, as kube-apiserver serves it.
                if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
                    http2::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                } else {
                    http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                }
            }
            Err(e) => {
                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                return;
            }
        },
        None => {
            http1::Builder::new()
                .serve_connection(TokioIo::new(io), service)
                .await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
}

/// A connection dropped on purpose by a fault; hyper closes it without a response.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

/// Authenticates, then applies the cluster's faults around [`handlers::handle`].
async fn respond(
    cluster: &SimCluster,
    faults: &ClusterFaults,
    req: Request<Incoming>,
    secure: bool,
    killed: &AtomicBool,
) -> Result<Response<Body>, Dropped> {
    let kill = || {
        killed.store(true, Ordering::Relaxed);
        Dropped
    };
    if !faults.pass_partition().await {
        return Err(kill());
    }
    let authenticated = !secure || bearer_matches(cluster, &req);
    let decision = faults.decide(req.method(), req.uri().path(), authenticated);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    if !authenticated {
        return Ok(ApiError::unauthorized().into_response());
    }
    match decision.fault {
        None => Ok(handlers::handle(cluster, req).await),
        Some(Fault::Reset) => Err(kill()),
        Some(Fault::AppliedButLost) => {
            let response = handlers::handle(cluster, req).await;
            tracing::debug!(cluster = %cluster.name, status = %response.status(), "response lost by an injected fault");
            Err(kill())
        }
        Some(fault) => {
            tracing::debug!(cluster = %cluster.name, ?fault, path = req.uri().path(), "injected fault");
            Ok(decision
                .response(req.uri().path())
                .unwrap_or_else(|| ApiError::internal("fault").into_response()))
        }
    }
}

/// Over HTTPS every request must carry the cluster's bearer token; over plain HTTP (loopback
/// only) kubectl sends no credentials, so requests are anonymous cluster-admins.
fn bearer_matches(cluster: &SimCluster, req: &Request<Incoming>) -> bool {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| cluster.accepts_token(token))
}

/// A response body that stalls while its cluster is partitioned (`hang`) and fails the
/// connection when it is reset, so that watches and slow responses see partitions too.
struct FaultBody {
    inner: Body,
    faults: Arc<ClusterFaults>,
    killed: Arc<AtomicBool>,
    /// Completes when the partition changes from the state it was created for.
    change: Option<(Option<Partition>, PartitionChange)>,
}

impl hyper::body::Body for FaultBody {
    type Data = Bytes;
    type Error = Dropped;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Dropped>>> {
        let this = &mut *self;
        loop {
            let partition = this.faults.partition();
            if partition == Some(Partition::Reset) {
                this.killed.store(true, Ordering::Relaxed);
                return Poll::Ready(Some(Err(Dropped)));
            }
            if this
                .change
                .as_ref()
                .is_none_or(|(seen, _)| *seen != partition)
            {
                this.change = Some((partition, this.faults.partition_change(partition)));
            }
            if let Some((_, change)) = this.change.as_mut()
                && change.as_mut().poll(cx).is_ready()
            {
                this.change = None;
                continue;
            }
            if partition == Some(Partition::Hang) {
                return Poll::Pending;
            }
            let frame = ready!(Pin::new(&mut this.inner).poll_frame(cx));
            return Poll::Ready(frame.map(|f| f.map_err(|never| match never {})));
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The TCP stream of a connection; when a fault killed the connection it closes with a reset.
struct FaultIo {
    stream: Option<TcpStream>,
    killed: Arc<AtomicBool>,
}

impl FaultIo {
    fn stream(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(self.stream.as_mut().expect("stream present until drop"))
    }
}

impl Drop for FaultIo {
    fn drop(&mut self) {
        if let Some(stream) = self.stream.take()
            && self.killed.load(Ordering::Relaxed)
        {
            reset(stream);
        }
    }
}

impl AsyncRead for FaultIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.stream().poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.stream().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.stream().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream
            .as_ref()
            .is_some_and(AsyncWrite::is_write_vectored)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.stream().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.stream().poll_shutdown(cx)
    }
}
