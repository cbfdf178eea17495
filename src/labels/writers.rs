//! Who wrote a labels folder's logs at the OS level. Each event records the numeric uid of the
//! process that wrote it; a log whose events come from a uid other than the log file's owner
//! was written by someone else (or copied), and one uid writing under several annotator names
//! is one person counted as several, which makes agreement figures lie. Review, stats and
//! export report both, and logs left out because they are symbolic links.

use std::path::{Path, PathBuf};

/// The uids and names seen in one log, with their event counts. Events without a uid (logs
/// written before it was recorded) are not counted.
#[derive(Debug, Clone, Default)]
pub struct WriterCounts {
    seen: Vec<Seen>,
    /// The entry the last event went to: a log is mostly one writer, so most events stop here.
    last: usize,
}

#[derive(Debug, Clone)]
struct Seen {
    uid: u32,
    annotator: String,
    /// A reviewer's final decisions (`role` "adjudicator"): a reviewer labels under their own
    /// name and reviews under another, so these names are not counted as a second identity.
    adjudicator: bool,
    events: usize,
}

impl WriterCounts {
    /// Counts one event.
    #[inline]
    pub fn note(&mut self, uid: Option<u32>, annotator: &str, adjudicator: bool) {
        let Some(uid) = uid else { return };
        let same =
            |s: &Seen| s.uid == uid && s.adjudicator == adjudicator && s.annotator == annotator;
        if let Some(s) = self.seen.get_mut(self.last)
            && same(s)
        {
            s.events += 1;
            return;
        }
        match self.seen.iter().position(same) {
            Some(k) => {
                self.seen[k].events += 1;
                self.last = k;
            }
            None => {
                self.seen.push(Seen {
                    uid,
                    annotator: annotator.to_string(),
                    adjudicator,
                    events: 1,
                });
                self.last = self.seen.len() - 1;
            }
        }
    }
}

/// Cached with a teammate's replay (see `super::replay_cache`).
impl WriterCounts {
    pub(crate) fn encode(&self, w: &mut super::decisions::Out<'_>) {
        w.u64(self.seen.len() as u64);
        for s in &self.seen {
            w.u32(s.uid);
            w.str(&s.annotator);
            w.u8(u8::from(s.adjudicator));
            w.u64(s.events as u64);
        }
    }

    /// (uid, annotator, adjudicator, events) of each writer, for tests.
    #[cfg(test)]
    pub(crate) fn counts(&self) -> Vec<(u32, String, bool, usize)> {
        self.seen
            .iter()
            .map(|s| (s.uid, s.annotator.clone(), s.adjudicator, s.events))
            .collect()
    }

    pub(crate) fn decode(r: &mut super::decisions::In<'_>) -> Option<Self> {
        let n = usize::try_from(r.u64()?).ok()?;
        let mut seen = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            seen.push(Seen {
                uid: r.u32()?,
                annotator: r.str()?.to_string(),
                adjudicator: r.u8()? != 0,
                events: usize::try_from(r.u64()?).ok()?,
            });
        }
        Some(Self { seen, last: 0 })
    }
}

/// What the logs of a folder (or the logs named) showed about who wrote them.
#[derive(Debug, Clone, Default)]
pub struct Writers {
    /// Each log, its owner's uid, and what was seen in it.
    logs: Vec<(PathBuf, Option<u32>, WriterCounts)>,
    /// Logs left out because they are symbolic links.
    pub links: Vec<PathBuf>,
}

impl Writers {
    /// Adds one log's counts; its owner is looked up now.
    pub fn add(&mut self, path: &Path, counts: WriterCounts) {
        self.logs
            .push((path.to_path_buf(), crate::safefs::owner(path), counts));
    }

    /// Everything found, one sentence each: links left out, logs written by someone other
    /// than their owner, and uids writing as several annotators. Empty when all is as it
    /// should be.
    pub fn findings(&self) -> Vec<String> {
        let mut out = self.link_findings();
        out.extend(self.writer_findings());
        out
    }

    /// The logs left out because they are symbolic links, one sentence each.
    pub fn link_findings(&self) -> Vec<String> {
        self.links
            .iter()
            .map(|p| {
                format!(
                    "{} is a symbolic link; prefer does not read through links in a shared folder - left out (remove it, or allow links with follow_links = true in the folder's prefer.toml)",
                    p.display()
                )
            })
            .collect()
    }

    /// Logs written by someone other than their owner, and uids writing as several
    /// annotators, one sentence each.
    pub fn writer_findings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (path, owner, counts) in &self.logs {
            let Some(owner) = *owner else { continue };
            let mut foreign: Vec<(u32, Vec<&str>, usize)> = Vec::new();
            for s in counts.seen.iter().filter(|s| s.uid != owner) {
                match foreign.iter_mut().find(|f| f.0 == s.uid) {
                    Some(f) => {
                        f.2 += s.events;
                        if !f.1.contains(&s.annotator.as_str()) {
                            f.1.push(&s.annotator);
                        }
                    }
                    None => foreign.push((s.uid, vec![&s.annotator], s.events)),
                }
            }
            for (uid, names, events) in foreign {
                out.push(format!(
                    "{}: {events} event{} written by uid {} (as {}), but the file belongs to uid {} - someone other than its owner wrote to this log, or it was copied; check it before trusting it",
                    path.display(),
                    if events == 1 { "" } else { "s" },
                    crate::safefs::user_name(uid),
                    names.join(", "),
                    crate::safefs::user_name(owner),
                ));
            }
        }
        // uid -> (annotator name, events), over every log.
        let mut names: std::collections::BTreeMap<u32, Vec<(&str, usize)>> = Default::default();
        for s in self
            .logs
            .iter()
            .flat_map(|(_, _, c)| &c.seen)
            .filter(|s| !s.adjudicator)
        {
            let v = names.entry(s.uid).or_default();
            match v.iter_mut().find(|(n, _)| *n == s.annotator) {
                Some(e) => e.1 += s.events,
                None => v.push((&s.annotator, s.events)),
            }
        }
        for (uid, v) in names.into_iter().filter(|(_, v)| v.len() > 1) {
            let list: Vec<String> = v
                .iter()
                .map(|(n, k)| format!("{n} ({k} event{})", if *k == 1 { "" } else { "s" }))
                .collect();
            out.push(format!(
                "uid {} wrote as {} annotators: {} - one person under several names makes agreement figures lie; keep one name per person",
                crate::safefs::user_name(uid),
                v.len(),
                list.join(", ")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_writer_per_log_and_one_name_per_uid_finds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let me = crate::safefs::current_uid();
        let mut w = Writers::default();
        for name in ["alice", "bob"] {
            let p = dir.path().join(format!("{name}.jsonl"));
            std::fs::write(&p, "").unwrap();
            let mut c = WriterCounts::default();
            // The same uid as two people is the finding below; here: old events, no uid.
            c.note(None, name, false);
            w.add(&p, c);
        }
        assert!(w.findings().is_empty(), "{:?}", w.findings());
        // A reviewer's final decisions under another name are not a second identity.
        let p = dir.path().join("alice-review.jsonl");
        std::fs::write(&p, "").unwrap();
        let mut c = WriterCounts::default();
        c.note(me, "alice", false);
        c.note(me, "alice-review", true);
        w.add(&p, c);
        assert!(w.findings().is_empty(), "{:?}", w.findings());
    }

    #[test]
    fn foreign_uids_and_two_names_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let me = crate::safefs::current_uid().unwrap();
        let other = me.wrapping_add(4242);
        let p = dir.path().join("bob.jsonl");
        std::fs::write(&p, "").unwrap();
        let mut c = WriterCounts::default();
        for _ in 0..3 {
            c.note(Some(me), "bob", false);
        }
        c.note(Some(other), "bob", false);
        c.note(Some(me), "robert", false);
        let mut w = Writers::default();
        w.add(&p, c);
        let f = w.findings();
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].contains("bob.jsonl: 1 event written by uid"),
            "{}",
            f[0]
        );
        assert!(
            f[1].contains("wrote as 2 annotators: bob (3 events), robert (1 event)"),
            "{}",
            f[1]
        );
    }

    /// A reviewer's final decisions are counted apart from the same name's own labels, and
    /// what one uid wrote is added up over entries and logs: a foreign uid's events and
    /// names in one finding per log, a uid's events per name over every log.
    #[test]
    fn findings_add_up_each_uids_events_over_names_and_logs() {
        let dir = tempfile::tempdir().unwrap();
        let me = crate::safefs::current_uid().unwrap();
        let other = me.wrapping_add(4242);
        let mut c = WriterCounts::default();
        c.note(Some(me), "alice", false);
        c.note(Some(me), "alice", true);
        c.note(Some(me), "alice", false);
        assert_eq!(
            c.counts(),
            [
                (me, "alice".into(), false, 2),
                (me, "alice".into(), true, 1)
            ]
        );

        let mut w = Writers::default();
        let a = dir.path().join("a.jsonl");
        std::fs::write(&a, "").unwrap();
        let mut c = WriterCounts::default();
        c.note(Some(me), "bob", false);
        c.note(Some(other), "bob", false);
        c.note(Some(other), "bob", true);
        c.note(Some(other), "robert", false);
        c.note(Some(other), "robert", false);
        w.add(&a, c);
        let b = dir.path().join("b.jsonl");
        std::fs::write(&b, "").unwrap();
        let mut c = WriterCounts::default();
        c.note(Some(me), "bob", false);
        c.note(Some(me), "bob", false);
        c.note(Some(me), "robert", false);
        w.add(&b, c);
        let f = w.findings();
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(
            f[0].contains("a.jsonl: 4 events written by uid") && f[0].contains("(as bob, robert)"),
            "{}",
            f[0]
        );
        // One finding per uid (in the order of the uids), after the logs' findings.
        for names in [
            "as 2 annotators: bob (3 events), robert (1 event)",
            "as 2 annotators: bob (1 event), robert (2 events)",
        ] {
            assert!(f[1..].iter().any(|x| x.contains(names)), "{names}: {f:?}");
        }
    }

    #[test]
    fn logs_left_out_as_links_are_reported() {
        let w = Writers {
            links: vec![PathBuf::from("labels/eve.jsonl")],
            ..Default::default()
        };
        let f = w.findings();
        assert_eq!(f, w.link_findings());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].starts_with("labels/eve.jsonl is a symbolic link"),
            "{}",
            f[0]
        );
    }
}
