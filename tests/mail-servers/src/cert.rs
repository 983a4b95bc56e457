//! The test certificate: a throw-away CA and a server certificate it signed for `127.0.0.1` and
//! `localhost`, made with the `openssl` command line tool (two calls, ~50 ms).
//!
//! Why a CA and not one self-signed certificate: rustls (webpki) refuses a certificate that is a CA
//! as the server's own ("CaUsedAsEndEntity"), and OpenSSL-based clients want the trust anchor to be a
//! CA. With a separate CA both kinds of client accept `ca_pem()` as their only root.

use std::path::Path;
use std::process::Command;

use crate::Error;

const OPENSSL_CONFIG: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Kartei test CA
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// The files written into the server folder.
pub(crate) struct CertFiles {
    pub ca_pem: String,
}

/// Writes `ca.pem`, `ca.key` (the CA) and `cert.pem`, `key.pem` (the servers') into `dir`.
pub(crate) fn generate(dir: &Path) -> Result<CertFiles, Error> {
    let config = dir.join("openssl.cnf");
    std::fs::write(&config, OPENSSL_CONFIG)?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-noenc",
        "-days",
        "30",
    ];
    run_openssl(
        Command::new("openssl")
            .current_dir(dir)
            .args([
                "req",
                "-x509",
                "-config",
                "openssl.cnf",
                "-extensions",
                "ca_ext",
            ])
            .args(ec)
            .args(["-keyout", "ca.key", "-out", "ca.pem"]),
    )?;
    run_openssl(
        Command::new("openssl")
            .current_dir(dir)
            .args([
                "req",
                "-x509",
                "-config",
                "openssl.cnf",
                "-extensions",
                "leaf_ext",
            ])
            .args([
                "-subj",
                "/CN=localhost",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
            ])
            .args(ec)
            .args(["-keyout", "key.pem", "-out", "cert.pem"]),
    )?;
    Ok(CertFiles {
        ca_pem: std::fs::read_to_string(dir.join("ca.pem"))?,
    })
}

fn run_openssl(cmd: &mut Command) -> Result<(), Error> {
    let out = cmd.output().map_err(|e| Error::missing("openssl", e))?;
    if !out.status.success() {
        return Err(Error::Certificate(
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    Ok(())
}
