//! PEM data: the blocks of a kind, and the DER of the first one.

use base64::Engine as _;
use zeroize::Zeroizing;

use super::ImportError;

#[derive(Clone, Copy, Debug)]
pub(super) enum PemKind {
    Certificate,
    PrivateKey,
}

impl PemKind {
    pub(super) fn describe(self) -> &'static str {
        match self {
            Self::Certificate => "a certificate",
            Self::PrivateKey => "a private key",
        }
    }

    fn matches(self, label: &str) -> bool {
        match self {
            Self::Certificate => label == "CERTIFICATE",
            Self::PrivateKey => label.ends_with("PRIVATE KEY"),
        }
    }
}

/// The base64 bodies of the PEM blocks of a kind.
pub(super) fn pem_blocks(
    pem: &[u8],
    kind: PemKind,
) -> impl Iterator<Item = Zeroizing<String>> + '_ {
    let text = std::str::from_utf8(pem).unwrap_or("");
    let mut lines = text.lines();
    std::iter::from_fn(move || {
        loop {
            let line = lines.next()?.trim();
            let Some(label) = line
                .strip_prefix("-----BEGIN ")
                .and_then(|l| l.strip_suffix("-----"))
            else {
                continue;
            };
            let mut body = Zeroizing::new(String::new());
            let mut closed = false;
            for l in lines.by_ref() {
                let l = l.trim();
                if l.starts_with("-----END ") {
                    closed = true;
                    break;
                }
                body.push_str(l);
            }
            if closed && kind.matches(label) {
                return Some(body);
            }
        }
    })
}

/// The DER of the first block of `kind` in base64-encoded PEM data.
pub(super) fn first_der(
    field: &'static str,
    data: &str,
    kind: PemKind,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let engine = base64::engine::general_purpose::STANDARD;
    let compact: Zeroizing<String> = Zeroizing::new(data.split_whitespace().collect());
    let pem = Zeroizing::new(
        engine
            .decode(compact.as_bytes())
            .map_err(|_| ImportError::BadData { field })?,
    );
    let body = pem_blocks(&pem, kind)
        .next()
        .ok_or(ImportError::BadData { field })?;
    engine
        .decode(body.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| ImportError::BadData { field })
}
