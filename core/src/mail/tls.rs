//! TLS for both mail servers with rustls: the public authorities (Mozilla's list, built in, so
//! the Pi needs no system certificates) plus, for a salon's own mail server, a certificate the
//! owner pasted into the settings.

use std::sync::Arc;
use tokio_rustls::rustls::{self, pki_types::CertificateDer, RootCertStore};

/// The certificates in a PEM text; an error names what could not be read.
pub fn certificates_in(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut reader = std::io::BufReader::new(pem.as_bytes());
    let certs: Vec<_> = rustls_pemfile::certs(&mut reader)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    if certs.is_empty() {
        return Err("no certificate in the text".into());
    }
    Ok(certs)
}

/// A client configuration that trusts the public authorities and `extra_pem`.
pub fn client_config(extra_pem: &str) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if !extra_pem.trim().is_empty() {
        for cert in certificates_in(extra_pem)? {
            roots.add(cert).map_err(|e| e.to_string())?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
