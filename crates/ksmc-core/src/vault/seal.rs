//! Sealing: XChaCha20-Poly1305 with the installation's 256-bit data key.
//!
//! A sealed file is `KSMCVLT1` (magic and format version) ‖ a random 24-byte nonce ‖ the
//! ciphertext with its 16-byte tag. The associated data is `io.ksmc|vault-v1|<cluster id>`, so
//! a sealed file moved to another cluster's place does not open. Random 192-bit nonces make
//! nonce reuse negligible however many times a file is rewritten.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

const MAGIC: &[u8; 8] = b"KSMCVLT1";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// The installation's data key. Zeroed on drop; its `Debug` shows only its id.
pub(crate) struct DataKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey(id {})", self.id())
    }
}

impl Clone for DataKey {
    fn clone(&self) -> Self {
        Self(Zeroizing::new(*self.0))
    }
}

/// Randomness failed (the OS RNG is unavailable).
#[derive(Debug)]
pub(crate) struct NoRandom;

/// The blob did not open: wrong key, wrong cluster, or damaged.
#[derive(Debug)]
pub(crate) struct Unsealable;

fn random<const N: usize>() -> Result<[u8; N], NoRandom> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| NoRandom)?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl DataKey {
    pub(crate) fn generate() -> Result<Self, NoRandom> {
        Ok(Self(Zeroizing::new(random::<32>()?)))
    }

    /// The keyring form: standard base64, 44 ASCII characters (fits every platform store).
    pub(crate) fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(*self.0))
    }

    /// Parses the keyring form; `None` when it is not a 256-bit key in base64.
    pub(crate) fn from_text(text: &str) -> Option<Self> {
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .ok()?,
        );
        let key: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(Self(Zeroizing::new(key)))
    }

    fn mac(&self, label: &str, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&*self.0)
            .expect("HMAC takes any key size");
        mac.update(label.as_bytes());
        for part in parts {
            // Length-prefixed, so ("ab","c") and ("a","bc") differ.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// A public id of the key (a MAC, not the key): tells which key sealed a cluster.
    pub(crate) fn id(&self) -> String {
        hex(&self.mac("ksmc key id v1", &[])[..8])
    }

    /// A keyed fingerprint of an exec plugin's exact invocation.
    pub(crate) fn fingerprint(&self, parts: &[&[u8]]) -> String {
        hex(&self.mac("ksmc exec approval v1", parts))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        <XChaCha20Poly1305 as KeyInit>::new_from_slice(&*self.0).expect("a 32-byte key")
    }
}

fn aad(cluster_id: &str) -> Vec<u8> {
    format!(
        "io.ksmc|vault-v{}|{cluster_id}",
        super::registry::SCHEMA_VERSION
    )
    .into_bytes()
}

/// Seals `plaintext` for the cluster `cluster_id`.
pub(crate) fn seal(key: &DataKey, cluster_id: &str, plaintext: &[u8]) -> Result<Vec<u8>, NoRandom> {
    let nonce_bytes = random::<NONCE_LEN>()?;
    let nonce = XNonce::from(nonce_bytes);
    let aad = aad(cluster_id);
    let ciphertext = key
        .cipher()
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| NoRandom)?;
    let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + ciphertext.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Opens a sealed blob of the cluster `cluster_id`.
pub(crate) fn open(
    key: &DataKey,
    cluster_id: &str,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Unsealable> {
    if sealed.len() < MAGIC.len() + NONCE_LEN + TAG_LEN || !sealed.starts_with(MAGIC) {
        return Err(Unsealable);
    }
    let (nonce, ciphertext) = sealed[MAGIC.len()..].split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Unsealable)?;
    let aad = aad(cluster_id);
    key.cipher()
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| Unsealable)
}

/// `sha256:<hex>` of some bytes (the CA fingerprint).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_and_binds_the_cluster_id() {
        let key = DataKey::generate().unwrap();
        let sealed = seal(&key, "a", b"secret kubeconfig").unwrap();
        assert!(sealed.starts_with(MAGIC));
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(&*open(&key, "a", &sealed).unwrap(), b"secret kubeconfig");
        assert!(open(&key, "b", &sealed).is_err(), "another cluster's id");
        let other = DataKey::generate().unwrap();
        assert!(open(&other, "a", &sealed).is_err(), "another key");
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(open(&key, "a", &flipped).is_err(), "a flipped bit");
        assert!(open(&key, "a", &sealed[..20]).is_err(), "truncated");
    }

    #[test]
    fn nonces_differ_and_the_text_form_round_trips() {
        let key = DataKey::generate().unwrap();
        assert_ne!(
            seal(&key, "a", b"x").unwrap(),
            seal(&key, "a", b"x").unwrap()
        );
        let text = key.to_text();
        assert_eq!(text.len(), 44);
        let back = DataKey::from_text(&text).unwrap();
        assert_eq!(back.id(), key.id());
        assert!(DataKey::from_text("not a key").is_none());
        assert!(DataKey::from_text("AAAA").is_none());
        assert!(!format!("{key:?}").contains(text.as_str()));
    }
}
