//! Reading kubeconfigs and building kube-rs clients from them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::error::ClusterError;

/// Kubeconfigs larger than this are refused before parsing.
pub const MAX_KUBECONFIG_BYTES: usize = 1024 * 1024;

/// A parsed kubeconfig and the name ksmc shows for it. Its `Debug` shows only the name and
/// server: the kubeconfig holds credentials.
#[derive(Clone)]
pub struct ClusterSource {
    /// Display name: the file stem (`host.kubeconfig` → `host`).
    pub name: String,
    /// The API server URL of the current context.
    pub server: String,
    kubeconfig: Kubeconfig,
}

impl std::fmt::Debug for ClusterSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterSource")
            .field("name", &self.name)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl ClusterSource {
    /// Parses a kubeconfig from YAML text.
    ///
    /// Exec and auth-provider credential plugins are refused: running a program named in a
    /// kubeconfig needs the user's explicit approval, which only the vault can record.
    ///
    /// # Errors
    /// [`ClusterError::Kubeconfig`] when the text is too large, not a kubeconfig, has no
    /// usable current context, or needs a credential plugin.
    pub fn from_yaml(name: &str, yaml: &str) -> Result<Self, ClusterError> {
        if yaml.len() > MAX_KUBECONFIG_BYTES {
            return Err(ClusterError::Kubeconfig(format!(
                "kubeconfig {name} is larger than {} KiB",
                MAX_KUBECONFIG_BYTES / 1024
            )));
        }
        // kube's own parser; the error text is not shown since it may quote the input.
        let kubeconfig = Kubeconfig::from_yaml(yaml).map_err(|_| {
            ClusterError::Kubeconfig(format!("kubeconfig {name} is not a valid kubeconfig"))
        })?;
        let context_name = kubeconfig.current_context.clone().ok_or_else(|| {
            ClusterError::Kubeconfig(format!("kubeconfig {name} has no current-context"))
        })?;
        let context = kubeconfig
            .contexts
            .iter()
            .find(|c| c.name == context_name)
            .and_then(|c| c.context.as_ref())
            .ok_or_else(|| {
                ClusterError::Kubeconfig(format!(
                    "kubeconfig {name}: context {context_name:?} is not defined"
                ))
            })?;
        let server = kubeconfig
            .clusters
            .iter()
            .find(|c| c.name == context.cluster)
            .and_then(|c| c.cluster.as_ref())
            .and_then(|c| c.server.clone())
            .ok_or_else(|| {
                ClusterError::Kubeconfig(format!(
                    "kubeconfig {name}: cluster {:?} has no server",
                    context.cluster
                ))
            })?;
        let user = context.user.as_deref().and_then(|u| {
            kubeconfig
                .auth_infos
                .iter()
                .find(|a| a.name == u)
                .and_then(|a| a.auth_info.as_ref())
        });
        if user.is_some_and(|u| u.token_file.is_some()) {
            return Err(ClusterError::Kubeconfig(format!(
                "kubeconfig {name} reads its token from a file (tokenFile); import it into the vault, which inlines it after showing it to you"
            )));
        }
        if user.is_some_and(|u| u.username.is_some() || u.password.is_some()) {
            return Err(ClusterError::Kubeconfig(format!(
                "kubeconfig {name} uses a username and password, which Kubernetes no longer supports; use a token or client certificate"
            )));
        }
        if user.is_some_and(|u| u.exec.is_some() || u.auth_provider.is_some()) {
            return Err(ClusterError::Kubeconfig(format!(
                "kubeconfig {name} runs a credential plugin; ksmc runs one only after you approve it in the vault"
            )));
        }
        Ok(Self {
            name: name.to_owned(),
            server,
            kubeconfig,
        })
    }

    /// Reads and parses a kubeconfig file; the name is the file stem.
    ///
    /// # Errors
    /// As [`ClusterSource::from_yaml`], or when the file cannot be read.
    pub fn from_file(path: &Path) -> Result<Self, ClusterError> {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "cluster".into());
        let meta = std::fs::metadata(path).map_err(|e| {
            ClusterError::Kubeconfig(format!("cannot read {}: {e}", path.display()))
        })?;
        if meta.len() > MAX_KUBECONFIG_BYTES as u64 {
            return Err(ClusterError::Kubeconfig(format!(
                "kubeconfig {name} is larger than {} KiB",
                MAX_KUBECONFIG_BYTES / 1024
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            ClusterError::Kubeconfig(format!("cannot read {}: {e}", path.display()))
        })?;
        Self::from_yaml(&name, &text)
    }

    /// Builds a kube-rs client with connect and read deadlines.
    ///
    /// # Errors
    /// When the kubeconfig's TLS material or credentials cannot be loaded.
    pub async fn client(&self) -> Result<kube::Client, ClusterError> {
        self.client_with(true, Some(READ_DEADLINE)).await
    }

    /// A client for long-lived watches: the connect deadline, but no read deadline (a quiet
    /// watch is not a dead one: real API servers send a bookmark about once a minute; the
    /// watcher's own idle timeout ends a stream silent past its server-side timeout).
    ///
    /// # Errors
    /// As [`ClusterSource::client`].
    pub async fn watch_client(&self) -> Result<kube::Client, ClusterError> {
        self.client_with(true, None).await
    }

    /// A client for workflows: kube's own retry layer off (it would re-send writes on 503
    /// and 504 with a stale body and wait out any `Retry-After`), so the workflow engine's
    /// bounded policy decides what is retried.
    ///
    /// # Errors
    /// As [`ClusterSource::client`].
    pub async fn workflow_client(&self) -> Result<kube::Client, ClusterError> {
        self.client_with(false, Some(READ_DEADLINE)).await
    }

    /// The current context's CA bundle (PEM, base64 as in the kubeconfig), when inlined.
    #[must_use]
    pub fn ca_data(&self) -> Option<String> {
        let context_name = self.kubeconfig.current_context.as_deref()?;
        let context = self
            .kubeconfig
            .contexts
            .iter()
            .find(|c| c.name == context_name)?
            .context
            .as_ref()?;
        self.kubeconfig
            .clusters
            .iter()
            .find(|c| c.name == context.cluster)?
            .cluster
            .as_ref()?
            .certificate_authority_data
            .clone()
    }

    async fn client_with(
        &self,
        retry: bool,
        read_timeout: Option<Duration>,
    ) -> Result<kube::Client, ClusterError> {
        let mut config = kube::Config::from_custom_kubeconfig(
            self.kubeconfig.clone(),
            &KubeConfigOptions::default(),
        )
        .await
        .map_err(|_| {
            ClusterError::Kubeconfig(format!(
                "kubeconfig {}: its certificates or credentials could not be loaded",
                self.name
            ))
        })?;
        config.connect_timeout = Some(Duration::from_secs(5));
        config.read_timeout = read_timeout;
        config.default_retry = retry;
        // Through a proxy, kube's own builder (its tunnels); credential plugins never reach
        // here (refused by `from_yaml`), but would need kube's builder too (their client
        // certificates and expiry are kube's own).
        let exec = self.kubeconfig.auth_infos.iter().any(|a| {
            a.auth_info
                .as_ref()
                .is_some_and(|u| u.exec.is_some() || u.auth_provider.is_some())
        });
        if config.proxy_url.is_some() || exec {
            return kube::Client::try_from(config).map_err(|e| ClusterError::from_kube(&e));
        }
        h2_client(&config).map_err(|e| ClusterError::from_kube(&e))
    }
}

/// kube's default client stack (`kube_client::client::builder::make_generic_builder`: the
/// kubeconfig's TLS, connect/read/write deadlines, base URI, kube's retry policy when
/// `default_retry`, authentication, extra headers) with HTTP/2 offered by ALPN beside
/// HTTP/1.1, as kubectl and client-go do. Over HTTP/2 a cluster's concurrent reads share one
/// connection and one TLS handshake instead of opening one each. Not added: kube's tracing
/// layer (debug spans only) and gzip (kube's `gzip` feature is off in this workspace).
fn h2_client(config: &kube::Config) -> Result<kube::Client, kube::Error> {
    use hyper_util::client::legacy::connect::HttpConnector;
    use kube::client::ConfigExt as _;
    use tower::{BoxError, ServiceBuilder};

    let mut http = HttpConnector::new();
    http.enforce_http(false);
    // As client-go (Go's net package) does: an HTTP/2 request's frames are sent at once, not
    // held by Nagle's algorithm behind an unacknowledged window update.
    http.set_nodelay(true);
    let tls = config.rustls_client_config()?;
    let mut https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    if let Some(name) = config.tls_server_name.as_ref() {
        let name = rustls::pki_types::ServerName::try_from(name.clone()).map_err(|e| {
            kube::Error::RustlsTls(kube::client::RustlsTlsError::InvalidServerName(e))
        })?;
        https = https.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name));
    }
    let https = https.enable_all_versions().wrap_connector(http);
    let mut connector = hyper_timeout::TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    connector.set_reset_reader_on_write(config.reset_reader_on_write);
    let client: hyper_util::client::legacy::Client<_, kube::client::Body> =
        hyper_util::client::legacy::Builder::new(hyper_util::rt::TokioExecutor::new())
            // client-go's SETTINGS_MAX_FRAME_SIZE (x/net/http2 `defaultMaxReadFrameSize`):
            // a page of a big list arrives in a few frames, not one per 16 KiB.
            .http2_max_frame_size(1 << 20)
            .build(connector);

    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.default_retry.then(|| {
            tower::retry::RetryLayer::new(kube::client::retry::RetryPolicy::server_retry())
        }))
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(BoxError::from)
        .service(client);
    Ok(kube::client::ClientBuilder::new(service, config.default_namespace.clone()).build())
}

/// How long a request may wait for the server's next bytes (not for watches).
const READ_DEADLINE: Duration = Duration::from_secs(15);

/// A kubeconfig file and what became of parsing it.
pub type DirEntry = (PathBuf, Result<ClusterSource, ClusterError>);

/// Every kubeconfig in a directory (`*.kubeconfig`, `*.yaml`, `*.yml`), sorted by name.
///
/// # Errors
/// When the directory cannot be read or holds no kubeconfig. Files that fail to parse are
/// returned as errors per file, so one bad file does not hide the others.
pub fn sources_in_dir(dir: &Path) -> Result<Vec<DirEntry>, ClusterError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        ClusterError::Kubeconfig(format!("cannot read directory {}: {e}", dir.display()))
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|x| x == "kubeconfig" || x == "yaml" || x == "yml")
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(ClusterError::Kubeconfig(format!(
            "no kubeconfig (*.kubeconfig, *.yaml) in {}",
            dir.display()
        )));
    }
    Ok(paths
        .into_iter()
        .map(|p| {
            let source = ClusterSource::from_file(&p);
            (p, source)
        })
        .collect())
}
