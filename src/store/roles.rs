//! Per-user roles: one PostgreSQL login role per labeler, so that the server itself lets a
//! labeler write events only as themself. `prefer store init URL --per-user-roles` (the team
//! lead, as the tables' owner) creates two group roles for the database, grants them what
//! labeling and review need and turns row-level security on with policies; `prefer store
//! add-labeler` makes a login role a member. The owner (and a superuser) is not bound by the
//! policies: pushing a team's folder and loading tasks stay the lead's.
//!
//! What a member may do (the policies below, checked by the server on every row):
//! - read every table (the team's progress, review, export and stats need everyone's events);
//! - insert events only into the stream named after its role, whose `annotator` is its role
//!   (the line's JSON and the column both), and a labeler none with the reviewer's role
//!   `adjudicator`; change only its own stream's head (`prefer_streams`);
//! - a labeler: insert, change and delete only its own claims, and lock (never change) a
//!   task's row while taking it (`FOR UPDATE SKIP LOCKED` needs UPDATE privilege);
//! - nothing else: no task is loaded, no event changed or deleted.
//!
//! PostgreSQL's roles belong to the whole server, so the group roles are named after the
//! database (and its schema when that is not `public`): one team's labelers get nothing in
//! another team's database on the same server.

use postgres::Client;

use super::target::{StoreError, Target};

/// The group roles of a database: its labelers and its reviewers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    pub labeler: String,
    pub reviewer: String,
    /// The schema the tables are in (for its USAGE grant).
    schema: String,
    database: String,
}

/// PostgreSQL's longest name, in bytes (longer ones are cut silently by the server).
const NAME_MAX: usize = 63;

/// A quoted SQL identifier.
pub fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A quoted SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The group roles of the database `client` is connected to.
pub fn groups(target: &Target, client: &mut Client) -> Result<Groups, StoreError> {
    let row = client
        .query_one(
            "SELECT current_database()::text, n.nspname::text FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.oid = 'prefer_events'::regclass",
            &[],
        )
        .map_err(|e| target.error("find the database's name", e))?;
    let (database, schema): (String, String) = (row.get(0), row.get(1));
    let base = if schema == "public" {
        database.clone()
    } else {
        format!("{database}_{schema}")
    };
    let g = Groups {
        labeler: format!("{base}_labeler"),
        reviewer: format!("{base}_reviewer"),
        schema,
        database,
    };
    if g.reviewer.len() > NAME_MAX {
        return Err(StoreError(format!(
            "{}: the group roles would be named {} and {}, longer than PostgreSQL's {NAME_MAX} bytes - use a database with a shorter name for per-user roles",
            target.shown(),
            g.labeler,
            g.reviewer
        )));
    }
    Ok(g)
}

/// Whether the database is set up with per-user roles (row-level security on its events).
pub fn enabled(target: &Target, client: &mut Client) -> Result<bool, StoreError> {
    Ok(client
        .query_one(
            "SELECT relrowsecurity FROM pg_class WHERE oid = 'prefer_events'::regclass",
            &[],
        )
        .map_err(|e| target.error("look for per-user roles", e))?
        .get(0))
}

/// The policies, by table: (name, the command and roles it applies to and its rule). `{L}`
/// is the labelers' group, `{R}` the reviewers'. A policy is never changed once released
/// (a database keeps the one it was made with); a change is a policy of a new name.
const POLICIES: &[(&str, &str, &str)] = &[
    (
        "prefer_streams",
        "prefer_read",
        "FOR SELECT TO {L}, {R} USING (true)",
    ),
    (
        "prefer_streams",
        "prefer_own_insert",
        "FOR INSERT TO {L}, {R} WITH CHECK (stream = current_user)",
    ),
    (
        "prefer_streams",
        "prefer_own_update",
        "FOR UPDATE TO {L}, {R} USING (stream = current_user) WITH CHECK (stream = current_user)",
    ),
    (
        "prefer_events",
        "prefer_read",
        "FOR SELECT TO {L}, {R} USING (true)",
    ),
    // A blank line is kept as it was written; any other line is an event of the role's own,
    // in the column and in the line itself (what every reader reads). A labeler writes no
    // reviewer's final decisions.
    (
        "prefer_events",
        "prefer_labeler_insert",
        "FOR INSERT TO {L} WITH CHECK (stream = current_user AND CASE WHEN line ~ '^\\s*$'
            THEN annotator IS NULL
            ELSE annotator = current_user AND (line::json ->> 'annotator') = current_user
                AND role IS DISTINCT FROM 'adjudicator'
                AND (line::json ->> 'role') IS DISTINCT FROM 'adjudicator' END)",
    ),
    (
        "prefer_events",
        "prefer_reviewer_insert",
        "FOR INSERT TO {R} WITH CHECK (stream = current_user AND CASE WHEN line ~ '^\\s*$'
            THEN annotator IS NULL
            ELSE annotator = current_user AND (line::json ->> 'annotator') = current_user END)",
    ),
    (
        "prefer_tasks",
        "prefer_read",
        "FOR SELECT TO {L}, {R} USING (true)",
    ),
    // Taking a task locks its row (FOR UPDATE): allowed, but no row may change.
    (
        "prefer_tasks",
        "prefer_lock_only",
        "FOR UPDATE TO {L} USING (true) WITH CHECK (false)",
    ),
    (
        "prefer_claims",
        "prefer_read",
        "FOR SELECT TO {L}, {R} USING (true)",
    ),
    (
        "prefer_claims",
        "prefer_own_insert",
        "FOR INSERT TO {L} WITH CHECK (annotator = current_user)",
    ),
    (
        "prefer_claims",
        "prefer_own_update",
        "FOR UPDATE TO {L} USING (annotator = current_user) WITH CHECK (annotator = current_user)",
    ),
    (
        "prefer_claims",
        "prefer_own_delete",
        "FOR DELETE TO {L} USING (annotator = current_user)",
    ),
];

/// The tables row-level security is on for.
const TABLES: &[&str] = &[
    "prefer_streams",
    "prefer_events",
    "prefer_tasks",
    "prefer_claims",
];

/// The privileges, granted again at every set-up (granting twice changes nothing).
const GRANTS: &str = "
    GRANT SELECT ON prefer_schema, prefer_streams, prefer_events, prefer_tasks, prefer_claims,
        prefer_checks TO {L}, {R};
    GRANT INSERT, UPDATE ON prefer_streams TO {L}, {R};
    GRANT INSERT ON prefer_events TO {L}, {R};
    GRANT INSERT, UPDATE, DELETE ON prefer_claims TO {L};
    GRANT UPDATE (overlap) ON prefer_tasks TO {L};
";

/// Sets per-user roles up (see the module's comment), in one transaction; true when anything
/// was missing. Running it again changes nothing. Needs the tables' owner, with the right to
/// create roles (CREATEROLE) the first time.
pub fn setup(target: &Target, client: &mut Client) -> Result<bool, StoreError> {
    let g = groups(target, client)?;
    let err = |doing: &str| {
        let doing = doing.to_string();
        move |e: postgres::Error| target.error(&doing, e)
    };
    let mut tx = client.transaction().map_err(err("begin"))?;
    // Two set-ups at once wait for each other.
    tx.batch_execute("LOCK TABLE prefer_schema IN EXCLUSIVE MODE")
        .map_err(err("lock prefer_schema"))?;
    let mut changed = false;
    for group in [&g.labeler, &g.reviewer] {
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[group],
            )
            .map_err(err("look up the group roles"))?
            .get(0);
        if !exists {
            tx.batch_execute(&format!("CREATE ROLE {} NOLOGIN", ident(group)))
                .map_err(|e| {
                    let mut m = target.error(&format!("create the group role {group}"), e);
                    m.0.push_str(" - creating roles needs CREATEROLE: run this as a role that has it (or ask the server's administrator: ALTER ROLE YOU CREATEROLE)");
                    m
                })?;
            changed = true;
        }
    }
    let fill = |s: &str| {
        s.replace("{L}", &ident(&g.labeler))
            .replace("{R}", &ident(&g.reviewer))
    };
    let grants = format!(
        "GRANT CONNECT ON DATABASE {db} TO {L}, {R}; GRANT USAGE ON SCHEMA {schema} TO {L}, {R};{}",
        fill(GRANTS),
        db = ident(&g.database),
        schema = ident(&g.schema),
        L = ident(&g.labeler),
        R = ident(&g.reviewer),
    );
    tx.batch_execute(&grants)
        .map_err(err("grant the group roles their rights"))?;
    for table in TABLES {
        let on: bool = tx
            .query_one(
                "SELECT relrowsecurity FROM pg_class WHERE oid = $1::text::regclass",
                &[table],
            )
            .map_err(err("look up row-level security"))?
            .get(0);
        if !on {
            tx.batch_execute(&format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
                .map_err(err("turn row-level security on"))?;
            changed = true;
        }
    }
    for (table, name, rule) in POLICIES {
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = $1::text::regclass
                 AND polname = $2)",
                &[table, name],
            )
            .map_err(err("look up the policies"))?
            .get(0);
        if !exists {
            tx.batch_execute(&format!("CREATE POLICY {name} ON {table} {}", fill(rule)))
                .map_err(err(&format!("create the policy {name} on {table}")))?;
            changed = true;
        }
    }
    tx.commit().map_err(err("commit"))?;
    Ok(changed)
}

/// What [`add`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The group the role joined.
    pub group: String,
    /// The role was made now (false: it existed, its password was left as it was).
    pub created: bool,
}

/// A role name prefer can use as an annotator's name (it names the labeler's log and outbox)
/// and PostgreSQL keeps whole.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= NAME_MAX
        && !name.starts_with("pg_")
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} cannot be a labeler's role: it is their annotator name too, so use letters, digits, '-', '_', '.', '@' (at most {NAME_MAX} bytes, not starting with '.' or pg_)"
        ))
    }
}

/// Makes `name` a labeler (or a reviewer) of the database: a login role with `password`
/// (stored by the server as a SCRAM hash made here: the password itself never reaches the
/// server or its logs) in the group; a role that exists already only joins the group.
pub fn add(
    target: &Target,
    client: &mut Client,
    name: &str,
    reviewer: bool,
    password: &str,
) -> Result<Added, StoreError> {
    check_name(name).map_err(|e| StoreError(format!("{}: {e}", target.shown())))?;
    if !enabled(target, client)? {
        return Err(StoreError(format!(
            "{}: this database is not set up for per-user roles - set it up first with: prefer store init URL --per-user-roles",
            target.shown()
        )));
    }
    let g = groups(target, client)?;
    let group = if reviewer { &g.reviewer } else { &g.labeler };
    let err = |doing: &str| {
        let doing = doing.to_string();
        move |e: postgres::Error| target.error(&doing, e)
    };
    let mut tx = client.transaction().map_err(err("begin"))?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&name],
        )
        .map_err(err("look the role up"))?
        .get(0);
    if !exists {
        let hash = postgres_protocol::password::scram_sha_256(password.as_bytes());
        tx.batch_execute(&format!(
            "CREATE ROLE {} LOGIN PASSWORD {}",
            ident(name),
            literal(&hash)
        ))
        .map_err(err(&format!("create the role {name}")))?;
    }
    tx.batch_execute(&format!("GRANT {} TO {}", ident(group), ident(name)))
        .map_err(err(&format!("make {name} a member of {group}")))?;
    tx.commit().map_err(err("commit"))?;
    Ok(Added {
        group: group.clone(),
        created: !exists,
    })
}

/// Takes `name` out of the database's groups: it can no longer write or read here. The role
/// itself (it may label in other databases) and its decisions are kept.
pub fn remove(target: &Target, client: &mut Client, name: &str) -> Result<bool, StoreError> {
    let g = groups(target, client)?;
    let mut was = false;
    for group in [&g.labeler, &g.reviewer] {
        let member: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_auth_members m
                 JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                 WHERE r.rolname = $1 AND u.rolname = $2)",
                &[group, &name],
            )
            .map_err(|e| target.error("look the role up", e))?
            .get(0);
        if member {
            client
                .batch_execute(&format!("REVOKE {} FROM {}", ident(group), ident(name)))
                .map_err(|e| target.error(&format!("take {name} out of {group}"), e))?;
            was = true;
        }
    }
    Ok(was)
}

/// The role this connection writes as when the database's policies bind it (per-user roles,
/// and not the tables' owner): `None` when it may write under any name.
pub fn bound_role(target: &Target, client: &mut Client) -> Result<Option<String>, StoreError> {
    let row = client
        .query_one(
            "SELECT current_user::text, row_security_active('prefer_events')",
            &[],
        )
        .map_err(|e| target.error("look up your role", e))?;
    let bound: bool = row.get(1);
    Ok(bound.then(|| row.get(0)))
}

/// With per-user roles, `annotator` must be the role's name: refused, saying what to do, when
/// it is not (before anything is written).
pub fn check_annotator(
    target: &Target,
    client: &mut Client,
    annotator: &str,
) -> Result<(), StoreError> {
    match bound_role(target, client)? {
        Some(role) if role != annotator => Err(StoreError(format!(
            "{}: this database gives each labeler a role of their own, and you connect as role `{role}`, so you may write only as annotator `{role}`, not `{annotator}` - use --annotator {role} (or set PREFER_ANNOTATOR={role}), or connect as {annotator}'s role; nothing was written",
            target.shown()
        ))),
        _ => Ok(()),
    }
}

/// A new labeler's password: 24 letters and digits from the operating system's random source.
pub fn new_password() -> Result<String, StoreError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::new();
    while out.len() < 24 {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b)
            .map_err(|e| StoreError(format!("cannot make a password at random: {e}")))?;
        // Bytes beyond the largest multiple of the alphabet's length are dropped: no letter
        // is likelier than another.
        let limit = 256 - 256 % ALPHABET.len();
        out.extend(
            b.iter()
                .filter(|&&x| (x as usize) < limit)
                .map(|&x| ALPHABET[x as usize % ALPHABET.len()] as char),
        );
    }
    out.truncate(24);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_annotator_names_postgresql_keeps_whole() {
        assert!(check_name("alice").is_ok());
        assert!(check_name("zoë.müller@lab-1").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name(".hidden").is_err());
        assert!(check_name("pg_monitor").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("x\"; DROP TABLE prefer_events; --").is_err());
        assert!(check_name(&"é".repeat(32)).is_err(), "64 bytes");
        assert!(check_name(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn identifiers_and_literals_are_quoted() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
    }

    #[test]
    fn passwords_are_long_and_differ() {
        let a = new_password().unwrap();
        let b = new_password().unwrap();
        assert_eq!(a.len(), 24);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
