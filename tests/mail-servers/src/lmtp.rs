//! A minimal LMTP client (RFC 2033) over Dovecot's unix socket: enough to put one message into one
//! mailbox, the way a mail server delivers a customer's reply.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use crate::Error;

/// Delivers `raw` to `rcpt` with the envelope sender `mail_from` (may be empty: the null sender).
pub(crate) fn deliver(socket: &Path, mail_from: &str, rcpt: &str, raw: &[u8]) -> Result<(), Error> {
    let stream = UnixStream::connect(socket)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut step = |command: Option<&[u8]>, expect: u8| -> Result<(), Error> {
        if let Some(command) = command {
            writer.write_all(command)?;
        }
        let reply = read_reply(&mut reader)?;
        if reply.as_bytes().first() != Some(&expect) {
            let sent = command.map(|c| String::from_utf8_lossy(c).trim_end().to_string());
            return Err(Error::Refused(format!(
                "LMTP {}: {reply}",
                sent.unwrap_or_else(|| "greeting".into())
            )));
        }
        Ok(())
    };
    step(None, b'2')?;
    step(Some(b"LHLO kartei-test-mail\r\n"), b'2')?;
    step(
        Some(format!("MAIL FROM:<{mail_from}>\r\n").as_bytes()),
        b'2',
    )?;
    step(Some(format!("RCPT TO:<{rcpt}>\r\n").as_bytes()), b'2')?;
    step(Some(b"DATA\r\n"), b'3')?;
    step(Some(&dot_stuffed(raw)), b'2')?;
    let _ = step(Some(b"QUIT\r\n"), b'2');
    Ok(())
}

/// One (possibly multi-line) reply, its lines joined with " / ".
fn read_reply(reader: &mut impl BufRead) -> Result<String, Error> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(Error::Refused(format!(
                "LMTP connection closed after {lines:?}"
            )));
        }
        let line = line.trim_end().to_string();
        let last = line.as_bytes().get(3) != Some(&b'-');
        lines.push(line);
        if last {
            return Ok(lines.join(" / "));
        }
    }
}

/// The DATA body: CRLF line ends, lines starting with '.' doubled, and the final ".".
fn dot_stuffed(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + 64);
    let body = raw.strip_suffix(b"\n").unwrap_or(raw);
    for line in body.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::dot_stuffed;

    #[track_caller]
    fn check(raw: &str, expected: &str) {
        assert_eq!(
            String::from_utf8(dot_stuffed(raw.as_bytes())).unwrap(),
            expected
        );
    }

    #[test]
    fn data_is_dot_stuffed_with_crlf() {
        check("a\nb\n", "a\r\nb\r\n.\r\n");
        check("a\r\nb", "a\r\nb\r\n.\r\n");
        check(".hidden\r\n..two\r\n", "..hidden\r\n...two\r\n.\r\n");
        check("", "\r\n.\r\n");
    }
}
