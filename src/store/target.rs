//! A database named by a URL: parsing it, showing it without its password, finding the
//! password (the URL, `PGPASSWORD`, `~/.pgpass`), connecting (TLS through rustls), and error
//! messages that never carry the password.

use std::str::FromStr;
use std::time::Duration;

/// Why a store could not be used. The message names the database (without its password) and
/// never contains the password, whatever the server or the client library said.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Words every message about a write the server refused for want of rights carries (see
/// [`Target::error`] and [`forbidden`]).
const FORBIDDEN: &str = "refused by the server: role";

/// When `msg` says the server refused a write for want of rights (not an outage: trying
/// again will not help): what it says of the role, from "refused by the server" on (the part
/// a labeler needs, for a line on screen).
pub fn forbidden(msg: &str) -> Option<&str> {
    msg.find(FORBIDDEN).map(|i| &msg[i..])
}

/// A PostgreSQL database to connect to.
#[derive(Clone)]
pub struct Target {
    config: postgres::Config,
    /// The URL as shown: the password replaced by `***`.
    shown: String,
    /// The password, when there is one, to scrub from every message.
    secret: Option<String>,
    /// Extra root certificates (`sslrootcert=` in the URL, or `PGSSLROOTCERT`).
    root_cert: Option<std::path::PathBuf>,
    /// Check the server's certificate and name (`sslmode=verify-full` or `verify-ca`, or a
    /// root certificate named); otherwise TLS encrypts without checking, as libpq's `prefer`
    /// and `require` do.
    verify: bool,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Target").field(&self.shown).finish()
    }
}

/// True when `s` names a PostgreSQL database (a `postgresql://` or `postgres://` URL).
pub fn is_url(s: &str) -> bool {
    s.starts_with("postgresql://") || s.starts_with("postgres://")
}

/// `url` with its password (in the user part, or a `password=` parameter) replaced by `***`.
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    // `USER:PASSWORD@`: the user part runs from after the scheme's `//` (or the string's
    // start, for a URL mistyped without it) to the last `@` (a password may hold `/`, `@` or
    // `?` not escaped, in a URL that is then refused: it is hidden all the same). Not in
    // libpq's `key=value` form, whose `password=` is found below.
    let rest = out.rfind("//").map_or(0, |i| i + 2);
    if let Some(at) = out[rest..].rfind('@').map(|i| rest + i)
        && !out[rest..at].contains('=')
        && let Some(colon) = out[rest..at].find(':')
    {
        out.replace_range(rest + colon + 1..at, "***");
    }
    // `password=...` as a URL parameter or in key=value form.
    let mut search = 0;
    while let Some(i) = out[search..].find("password=") {
        let start = search + i + "password=".len();
        let before = out[..search + i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            search = start;
            continue;
        }
        let end = if out[start..].starts_with('\'') {
            out[start + 1..]
                .find('\'')
                .map_or(out.len(), |j| start + j + 2)
        } else {
            out[start..]
                .find(['&', ' '])
                .map_or(out.len(), |j| start + j)
        };
        out.replace_range(start..end, "***");
        search = start + 3;
    }
    out
}

/// `url` for a command to copy: its password left out (it comes from `PGPASSWORD` or
/// `~/.pgpass` then), and whether it had one.
pub fn without_password(url: &str) -> (String, bool) {
    let r = redact(url);
    if r == url {
        return (r, false);
    }
    let mut s = r.replacen(":***@", "@", 1);
    for (from, to) in [
        ("?password=***&", "?"),
        ("&password=***", ""),
        ("?password=***", ""),
        ("password=*** ", ""),
        (" password=***", ""),
        ("password=***", ""),
    ] {
        s = s.replace(from, to);
    }
    (s, true)
}

impl Target {
    /// Parses a `postgresql://` URL (or libpq `key=value` settings). The `sslmode`s are
    /// libpq's: `disable`; `prefer` (the default) and `require` encrypt without checking the
    /// server's certificate; `verify-full` (and `verify-ca`, checked as strictly) check it and
    /// the server's name against the Mozilla roots and `sslrootcert=PATH` (or
    /// `PGSSLROOTCERT`), and naming a root certificate makes `require` check as well.
    pub fn parse(url: &str) -> Result<Target, StoreError> {
        let shown = redact(url);
        let mut root_cert = std::env::var_os("PGSSLROOTCERT").map(std::path::PathBuf::from);
        // Parameters the client library does not know are taken out here.
        let mut kept = url.to_string();
        let mut verify = false;
        if let Some(q) = url.find('?').filter(|_| is_url(url)) {
            let mut params = Vec::new();
            for p in url[q + 1..].split('&') {
                match p.split_once('=') {
                    Some(("sslrootcert", v)) => root_cert = Some(v.into()),
                    Some(("sslmode", "verify-full" | "verify-ca")) => {
                        verify = true;
                        params.push("sslmode=require".to_string())
                    }
                    _ => params.push(p.to_string()),
                }
            }
            kept = url[..q].to_string();
            if !params.is_empty() {
                kept.push('?');
                kept.push_str(&params.join("&"));
            }
        }
        let mut config = postgres::Config::from_str(&kept).map_err(|e| {
            // The client says "invalid connection string" and keeps which part in its source
            // ("unknown option `foo`", "invalid value for option `sslmode`"): both are told.
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why.push_str(&format!(": {s}"));
                source = s.source();
            }
            StoreError(format!(
                "{shown}: not a database URL ({}) - write it as postgresql://USER@HOST:PORT/DATABASE[?sslmode=MODE&sslrootcert=PATH]",
                scrub_with(&why, None, url)
            ))
        })?;
        if config.get_password().is_none() {
            if let Some(pw) = std::env::var_os("PGPASSWORD") {
                config.password(pw.to_string_lossy().as_bytes());
            } else if let Some(pw) = pgpass(&config) {
                config.password(pw.as_bytes());
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("prefer");
        }
        let secret = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .filter(|p| !p.is_empty());
        let verify = verify || root_cert.is_some();
        Ok(Target {
            config,
            shown,
            secret,
            root_cert,
            verify,
        })
    }

    /// The same database with connection attempts given up after `t` (a labeler's writer
    /// retries rather than wait long on a server that is gone).
    pub fn with_connect_timeout(mut self, t: Duration) -> Target {
        self.config.connect_timeout(t);
        self
    }

    /// A name for this database that is the same however the URL spells the password or
    /// the user: its name and a hash of its hosts, ports, name and options. Names the
    /// labeler's outbox folder.
    pub fn id(&self) -> String {
        let c = &self.config;
        let hosts: Vec<String> = c
            .get_hosts()
            .iter()
            .map(|h| match h {
                postgres::config::Host::Tcp(s) => s.clone(),
                #[cfg(unix)]
                postgres::config::Host::Unix(p) => p.display().to_string(),
            })
            .collect();
        let key = format!(
            "{}\n{:?}\n{}\n{}",
            hosts.join(","),
            c.get_ports(),
            c.get_dbname().unwrap_or(""),
            c.get_options().unwrap_or("")
        );
        let name: String = c
            .get_dbname()
            .unwrap_or("db")
            .chars()
            .map(|ch| {
                if ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' {
                    ch
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        format!("{name}-{}", &blake3::hash(key.as_bytes()).to_hex()[..16])
    }

    /// The URL without its password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// `msg` with the password replaced by `***` wherever it appears.
    pub fn scrub(&self, msg: &str) -> String {
        scrub_with(msg, self.secret.as_deref(), "")
    }

    /// An error about this database: what was being done and what went wrong, scrubbed. A
    /// write the server refused for want of rights (per-user roles: a row-level security
    /// policy, a table the role may not change) also says which role and what it may do.
    pub fn error(&self, doing: &str, e: impl std::error::Error + 'static) -> StoreError {
        let mut msg = format!("{}: {doing}: {}", self.shown, full(&e));
        let refused = (&e as &dyn std::error::Error)
            .downcast_ref::<postgres::Error>()
            .and_then(postgres::Error::code)
            == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE);
        if refused {
            let role = self.config.get_user().unwrap_or("yours");
            msg.push_str(&format!(
                " - {FORBIDDEN} `{role}` may not {doing} here: with per-user roles a labeler writes only its own log (stream and annotator `{role}`) and its own claims, and reads the team's; loading tasks (prefer store tasks FILE URL) and adding labelers are the lead's"
            ));
        }
        StoreError(self.scrub(&msg))
    }

    /// The role the URL connects as.
    pub fn user(&self) -> Option<&str> {
        self.config.get_user()
    }

    /// Connects, through TLS when the server offers it (`sslmode=prefer`, the default) or
    /// must (`sslmode=require`).
    pub fn connect(&self) -> Result<postgres::Client, StoreError> {
        self.connect_or_answer().map_err(|(e, _)| e)
    }

    /// [`connect`](Self::connect), and with its error whether the server answered it (a
    /// password or role refused, no such database, a certificate not trusted): that stays
    /// until a person changes something, unlike a server out of reach.
    pub fn connect_or_answer(&self) -> Result<postgres::Client, (StoreError, bool)> {
        let tls = self.tls().map_err(|e| (e, true))?;
        self.config.connect(tls).map_err(|e| {
            let said = full(&e);
            let answered = e.as_db_error().is_some_and(|d| {
                let code = d.code().code();
                code.starts_with("28") || code == "3D000"
            }) || said.contains("certificate");
            let hint = if said.contains("password") {
                " - give the password in the URL, PGPASSWORD or ~/.pgpass"
            } else if said.contains("certificate") {
                " - if the server's certificate comes from an authority of your own, name its root certificate with sslrootcert=PATH in the URL or PGSSLROOTCERT"
            } else if answered {
                " - check the URL's user and database"
            } else {
                " - check that the server is running and the URL is right"
            };
            (
                StoreError(format!("{}{hint}", self.error("cannot connect", e))),
                answered,
            )
        })
    }

    fn tls(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(path) = &self.root_cert {
            use rustls::pki_types::{CertificateDer, pem::PemObject};
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    StoreError(format!(
                        "{}: cannot read the root certificate {}: {e}",
                        self.shown,
                        path.display()
                    ))
                })?;
            roots.add_parsable_certificates(certs);
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| self.error("TLS", e))?;
        let config = if self.verify {
            builder.with_root_certificates(roots).with_no_client_auth()
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(std::sync::Arc::new(Unchecked(provider)))
                .with_no_client_auth()
        };
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }
}

/// TLS that encrypts without checking who the server is (libpq's `sslmode=prefer` and
/// `require`): the certificate is taken as it is, but the handshake's signatures are still
/// checked, so the session is with the holder of the certificate's key.
#[derive(Debug)]
struct Unchecked(std::sync::Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// An error with its causes, each once (the client library's errors keep the server's message
/// in their source).
fn full(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let c_msg = c.to_string();
        if !msg.contains(&c_msg) {
            msg.push_str(": ");
            msg.push_str(&c_msg);
        }
        cause = c.source();
    }
    msg
}

fn scrub_with(msg: &str, secret: Option<&str>, url: &str) -> String {
    let mut out = msg.to_string();
    if let Some(s) = secret.filter(|s| !s.is_empty()) {
        out = out.replace(s, "***");
    }
    if !url.is_empty() {
        out = out.replace(url, &redact(url));
    }
    out
}

/// The password for `config` in `PGPASSFILE` or `~/.pgpass` (lines of
/// `host:port:database:user:password`, `*` for any, `\:` and `\\` escaped), as libpq reads it;
/// the file is ignored unless only its owner can read it.
fn pgpass(config: &postgres::Config) -> Option<String> {
    let path = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(&path).ok()?.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default().to_string();
    let db = config.get_dbname().unwrap_or(&user).to_string();
    pgpass_find(&text, [&host, &port, &db, &user])
}

fn pgpass_find(text: &str, want: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => cur.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() == 5
            && fields[..4]
                .iter()
                .zip(want)
                .all(|(f, w)| f == "*" || f == w)
        {
            return Some(fields.pop().unwrap_or_default());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_every_form() {
        let cases = [
            (
                "postgresql://alice:s3cr%40t@db.example:5432/labels",
                "postgresql://alice:***@db.example:5432/labels",
            ),
            (
                "postgres://alice@db/labels?password=hunter2&sslmode=require",
                "postgres://alice@db/labels?password=***&sslmode=require",
            ),
            (
                "host=db password='a b' user=x",
                "host=db password=*** user=x",
            ),
            ("postgresql://db/labels", "postgresql://db/labels"),
            ("postgresql://bob@db/x", "postgresql://bob@db/x"),
            // Mistyped or not escaped: the password is hidden all the same.
            (
                "postgresql//prefer:Hunter2@127.0.0.1:5432/x",
                "postgresql//prefer:***@127.0.0.1:5432/x",
            ),
            ("prefer:Hunter2@db/x", "prefer:***@db/x"),
            (
                "postgresql://alice:pa/ss?w@rd@db:5432/x",
                "postgresql://alice:***@db:5432/x",
            ),
            ("postgresql:/alice:pw@db/x", "postgresql:***@db/x"),
        ];
        for (url, want) in cases {
            assert_eq!(redact(url), want);
        }
    }

    #[test]
    fn a_command_to_copy_leaves_the_password_out() {
        let cases = [
            (
                "postgresql://a:pw@db:5432/x",
                "postgresql://a@db:5432/x",
                true,
            ),
            (
                "postgresql://a@db/x?password=pw&sslmode=require",
                "postgresql://a@db/x?sslmode=require",
                true,
            ),
            (
                "postgresql://a@db/x?sslmode=require&password=pw",
                "postgresql://a@db/x?sslmode=require",
                true,
            ),
            (
                "postgresql://a@db/x?password=pw",
                "postgresql://a@db/x",
                true,
            ),
            ("host=db password='a b' user=x", "host=db user=x", true),
            ("postgresql://a@db/x", "postgresql://a@db/x", false),
        ];
        for (url, want, had) in cases {
            assert_eq!(without_password(url), (want.to_string(), had), "{url}");
        }
    }

    #[test]
    fn a_mistyped_url_is_refused_without_its_password() {
        for url in [
            "postgresql//prefer:Hunter2SecretPw@127.0.0.1:49467/trial12",
            "postgresql://prefer:Hunter2/SecretPw@127.0.0.1:notaport/trial12",
        ] {
            let e = Target::parse(url).unwrap_err().to_string();
            assert!(
                !e.contains("Hunter2") && !e.contains("SecretPw") && e.contains("***"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_bad_url_is_refused_without_its_password() {
        let e = Target::parse("postgresql://alice:hunter2@db:notaport/x")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("postgresql://alice:***@db:notaport/x"), "{e}");
    }

    #[test]
    fn a_bad_parameter_is_named() {
        for (url, part) in [
            (
                "postgresql://a@db/x?sslmode=bogus",
                "invalid value for option `sslmode`",
            ),
            ("postgresql://a@db/x?foo=bar", "unknown option `foo`"),
            (
                "postgresql://a@db:99999/x",
                "invalid value for option `port`",
            ),
        ] {
            let e = Target::parse(url).unwrap_err().to_string();
            assert!(e.contains(part), "{e}");
        }
    }

    #[test]
    fn a_databases_id_ignores_the_user_and_password_and_names_the_database() {
        let id = |u: &str| Target::parse(u).unwrap().id();
        let a = id("postgresql://ann:pw1@db.example:5432/labels");
        assert_eq!(a, id("postgresql://bob@db.example:5432/labels"));
        assert!(a.starts_with("labels-"), "{a}");
        assert!(!a.contains("pw1"));
        assert_ne!(a, id("postgresql://ann@db.example:5432/other"));
        assert_ne!(a, id("postgresql://ann@db.example:5433/labels"));
        assert_ne!(a, id("postgresql://ann@db2.example:5432/labels"));
        assert!(sync_safe(&id("postgresql://x@h/we%2Fird")));
    }

    fn sync_safe(s: &str) -> bool {
        super::super::sync::valid_stream(s) && !s.contains('/')
    }

    #[test]
    fn connection_errors_never_show_the_password() {
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let t = Target::parse("postgresql://alice:hunter2@127.0.0.1:1/x").unwrap();
        let e = t
            .connect()
            .err()
            .expect("nothing listens on port 1")
            .to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("alice:***@127.0.0.1:1"), "{e}");
        assert_eq!(t.scrub("said hunter2"), "said ***");
    }

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:*:bob:no\ndb:*:labels:alice:pa\\:ss\n*:*:*:*:any\n";
        assert_eq!(
            pgpass_find(text, ["db", "5432", "labels", "alice"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_find(text, ["x", "1", "y", "z"]).as_deref(),
            Some("any")
        );
    }
}
