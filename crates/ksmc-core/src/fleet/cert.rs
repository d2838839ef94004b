//! The expiry of the client certificate in a `Cluster`'s kubeconfig
//! (`spec.connection.kubeconfig`, §2.1–2.2) — and nothing else from it.
//!
//! That kubeconfig holds the credentials the host uses for the member (a bearer token, or a
//! client certificate and its key). Only the certificate's `notAfter` and the kubeconfig's
//! user name leave this module; the decoded text is zeroized, the key and the token stay in
//! kube's `SecretString`s, and no error message quotes the input.

use base64::Engine as _;
use jiff::Timestamp;
use kube::config::Kubeconfig;
use zeroize::Zeroizing;

/// Kubeconfigs larger than this are not read (a Cluster object is far smaller).
const MAX_KUBECONFIG: usize = 1024 * 1024;

/// The client certificate of a kubeconfig's current user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCert {
    /// The kubeconfig's name of the user that carries it.
    pub user: String,
    /// The certificate's `notAfter`.
    pub not_after: Timestamp,
}

/// Reads the expiry of the current user's `client-certificate-data` in a base64-encoded
/// kubeconfig. `Ok(None)` when that user has no embedded certificate (a token, for one).
///
/// # Errors
/// A fixed text (never any of the input) when the kubeconfig or the certificate cannot be read.
pub fn kubeconfig_client_cert(b64: &str) -> Result<Option<ClientCert>, &'static str> {
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|_| "spec.connection.kubeconfig is not base64")?,
    );
    if bytes.len() > MAX_KUBECONFIG {
        return Err("spec.connection.kubeconfig is larger than 1 MiB");
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| "spec.connection.kubeconfig is not text")?;
    let kubeconfig = Kubeconfig::from_yaml(text)
        .map_err(|_| "spec.connection.kubeconfig is not a kubeconfig")?;
    // The current context, else the only one (what client-go would fail on, but harmless).
    let context = match kubeconfig.current_context.as_deref() {
        Some(current) => kubeconfig.contexts.iter().find(|c| c.name == current),
        None if kubeconfig.contexts.len() == 1 => kubeconfig.contexts.first(),
        None => None,
    };
    let Some(user) = context
        .and_then(|c| c.context.as_ref())
        .and_then(|c| c.user.as_deref())
    else {
        return Ok(None);
    };
    let Some(data) = kubeconfig
        .auth_infos
        .iter()
        .find(|a| a.name == user)
        .and_then(|a| a.auth_info.as_ref())
        .and_then(|a| a.client_certificate_data.as_deref())
        .filter(|d| !d.trim().is_empty())
    else {
        return Ok(None);
    };
    let pem = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| "client-certificate-data is not base64")?;
    let not_after =
        not_after(&pem).ok_or("client-certificate-data holds no readable certificate")?;
    Ok(Some(ClientCert {
        user: user.to_owned(),
        not_after,
    }))
}

/// `notAfter` of the first certificate of a PEM text (the leaf of a chain).
#[must_use]
pub fn not_after(pem: &[u8]) -> Option<Timestamp> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem).ok()?;
    let cert = pem.parse_x509().ok()?;
    Timestamp::from_second(cert.validity().not_after.timestamp()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubeconfig(user: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: c\n  context:\n    cluster: k\n    user: u\nusers:\n- name: u\n  user:\n{user}"
        ))
    }

    fn cert(not_after: (i32, u8, u8)) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn reads_not_after_of_the_current_users_certificate() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        for (date, expected) in [
            ((2031, 7, 4), "2031-07-04T00:00:00Z"),
            ((2049, 12, 31), "2049-12-31T00:00:00Z"),
            ((2050, 1, 2), "2050-01-02T00:00:00Z"),
        ] {
            let (pem, key) = cert(date);
            let k = kubeconfig(&format!(
                "    client-certificate-data: {}\n    client-key-data: {}\n",
                b64(&pem),
                b64(&key)
            ));
            let c = kubeconfig_client_cert(&k).unwrap().unwrap();
            assert_eq!(c.user, "u");
            assert_eq!(c.not_after.to_string(), expected);
        }
    }

    #[test]
    fn tokens_and_broken_input() {
        assert_eq!(
            kubeconfig_client_cert(&kubeconfig("    token: abc.def\n")),
            Ok(None)
        );
        assert_eq!(
            kubeconfig_client_cert("%%%"),
            Err("spec.connection.kubeconfig is not base64")
        );
        assert!(
            kubeconfig_client_cert(&kubeconfig(
                "    client-certificate-data: bm90IGEgY2VydA==\n"
            ))
            .is_err()
        );
        assert_eq!(
            not_after(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            None
        );
        assert_eq!(not_after(&[]), None);
    }
}
