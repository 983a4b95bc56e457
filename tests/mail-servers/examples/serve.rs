//! Starts the test mail servers and keeps them running until Enter (or end of input), for trying a
//! mail client against them by hand: `cargo run -p kartei-test-mail --example serve`.

use std::io::BufRead;

fn main() -> Result<(), kartei_test_mail::Error> {
    let servers = kartei_test_mail::MailServers::start()?;
    let account = servers.account();
    let ca = servers.dir().join("ca.pem");
    println!("folder      {}", servers.dir().display());
    println!("CA          {}", ca.display());
    println!("account     {} / {}", account.user, account.password);
    println!("IMAP TLS    127.0.0.1:{}", servers.imap_tls_port());
    println!(
        "IMAP plain  127.0.0.1:{} (STARTTLS)",
        servers.imap_plain_port()
    );
    println!(
        "SMTP        127.0.0.1:{} (STARTTLS)",
        servers.smtp_starttls_port()
    );
    println!("SMTP TLS    127.0.0.1:{}", servers.smtp_tls_port());
    println!("Enter stops them.");
    let _ = std::io::stdin().lock().lines().next();
    Ok(())
}
