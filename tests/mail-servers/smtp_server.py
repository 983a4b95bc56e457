"""Kartei's test SMTP submission server (started by the kartei-test-mail crate).

One process, two loopback ports, both built on aiosmtpd's SMTP protocol class:
  * the "587-style" port: plain at first, STARTTLS offered, AUTH only after STARTTLS;
  * the "465-style" port: implicit TLS from the first byte.
Both demand AUTH (PLAIN or LOGIN, checked against one account) before MAIL FROM.

Accepted mail for the salon's own address is handed to Dovecot's LMTP socket, so it lands in the
salon's INBOX; a refusal there (a full mailbox) is passed back to the client with its code. Mail for
everyone else goes to the spool folder, one numbered pair of files per message: NNNNNNNN.eml (the
raw message) and NNNNNNNN.env (line 1: envelope sender, then one recipient a line), the .env
written last by rename, so a reader sees complete messages only.
"""

import argparse
import asyncio
import logging
import os
import smtplib
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        self.args = args
        self.local = args.local_address.lower()
        os.makedirs(args.spool, exist_ok=True)
        numbers = [int(n.split(".")[0]) for n in os.listdir(args.spool) if n.endswith(".env")]
        self.next = max(numbers, default=0) + 1

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.delay > 0:
            # Tests wait for this line to know the server is now holding a message.
            logging.info("delaying the answer to DATA by %s s", self.args.delay)
            await asyncio.sleep(self.args.delay)
        raw = envelope.original_content or envelope.content
        local = [r for r in envelope.rcpt_tos if r.lower() == self.local]
        outside = [r for r in envelope.rcpt_tos if r.lower() != self.local]
        if local:
            loop = asyncio.get_running_loop()
            refusal = await loop.run_in_executor(None, self.deliver_local, envelope.mail_from, raw)
            if refusal is not None:
                return refusal
        if outside:
            self.spool(envelope.mail_from, outside, raw)
        return "250 OK queued"

    def deliver_local(self, mail_from, raw):
        """Hands the message to Dovecot by LMTP; returns an SMTP reply line if it refused."""
        try:
            lmtp = smtplib.LMTP(self.args.lmtp)
            try:
                lmtp.sendmail(mail_from, [self.args.local_address], raw)
            finally:
                try:
                    lmtp.quit()
                except smtplib.SMTPException:
                    pass
        except smtplib.SMTPRecipientsRefused as e:
            code, msg = next(iter(e.recipients.values()))
            return f"{code} {msg.decode(errors='replace')}"
        except smtplib.SMTPResponseException as e:
            return f"{e.smtp_code} {e.smtp_error.decode(errors='replace')}"
        except OSError as e:
            return f"451 4.3.0 local delivery unavailable: {e}"
        return None

    def spool(self, mail_from, rcpt_tos, raw):
        base = os.path.join(self.args.spool, f"{self.next:08}")
        self.next += 1
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        with open(base + ".tmp", "w") as f:
            f.write("\n".join([mail_from, *rcpt_tos]) + "\n")
        os.rename(base + ".tmp", base + ".env")


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        # handled=False: aiosmtpd itself answers 535 (its default, True, means "already answered"
        # and leaves the client waiting).
        return AuthResult(success=ok, handled=False)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--starttls-port", type=int, required=True)
    p.add_argument("--tls-port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--local-address", required=True)
    p.add_argument("--lmtp", required=True)
    p.add_argument("--spool", required=True)
    p.add_argument("--delay", type=float, default=0.0)
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(message)s")

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    handler = Handler(args)
    authenticator = Authenticator(args.user, args.password)
    common = dict(
        hostname="localhost",
        auth_required=True,
        authenticator=authenticator,
        # Mail from other programs may carry 8-bit text; keep bytes as they came.
        decode_data=False,
    )
    loop = asyncio.get_running_loop()
    starttls = await loop.create_server(
        lambda: SMTP(handler, tls_context=context, auth_require_tls=True, **common),
        args.host,
        args.starttls_port,
    )
    # The whole connection is TLS here, so AUTH needs no STARTTLS first (aiosmtpd only knows
    # about STARTTLS and would otherwise never offer AUTH, and warns about this setting).
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    implicit = await loop.create_server(
        lambda: SMTP(handler, auth_require_tls=False, **common),
        args.host,
        args.tls_port,
        ssl=context,
    )
    logging.info(f"smtp_server: listening on {args.starttls_port} (STARTTLS) and {args.tls_port} (TLS)")
    async with starttls, implicit:
        await asyncio.gather(starttls.serve_forever(), implicit.serve_forever())


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
