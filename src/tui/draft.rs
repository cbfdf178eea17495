//! The decision being built on the task on screen, one type per mode, with its two
//! translations side by side: [`Draft::from_event`] shows a recorded decision again (revisiting
//! a task, undo), [`Draft::to_event`] writes the decision built into the event that records it.
//! Positions are display positions (0 = the first candidate shown).

use std::collections::BTreeMap;

use crate::labels::{Event, TaskKind};

/// The decision in progress, for the task's mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Draft {
    Pair(PairDraft),
    Rank(RankDraft),
    Rate(RateDraft),
}

/// Pair mode: one key decides, so what is kept is the recorded choice (shown when revisiting)
/// and a side waiting for its strength.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairDraft {
    /// The choice, as a candidate id, "tie" or "both_bad".
    pub choice: Option<String>,
    /// How much better the chosen side is (task files with strength).
    pub strength: Option<u8>,
    /// With strength: the side chosen, waiting for the strength key.
    pub pending: Option<String>,
}

/// Rank mode: the tiers picked so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RankDraft {
    /// Tiers of display positions, best first.
    pub tiers: Vec<Vec<usize>>,
    /// The next pick ties with the last tier.
    pub tie_next: bool,
    /// The last tier was placed automatically.
    pub auto_last: bool,
}

/// Rate mode: a rating per candidate, or per candidate and aspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateDraft {
    /// Rating per display position.
    pub ratings: Vec<Option<u32>>,
    /// With aspects: rating per display position and aspect.
    pub aspect_ratings: Vec<Vec<Option<u32>>>,
    /// The aspect number keys rate.
    pub aspect: usize,
    /// The scale of the recorded ratings shown, when it is not the session's.
    pub recorded_scale: Option<u32>,
}

impl RankDraft {
    /// Number of candidates placed.
    pub fn placed(&self) -> usize {
        self.tiers.iter().map(Vec::len).sum()
    }

    /// Rank of display position `pos` (1-based tier number), if placed.
    pub fn rank_of(&self, pos: usize) -> Option<usize> {
        self.tiers
            .iter()
            .position(|t| t.contains(&pos))
            .map(|r| r + 1)
    }
}

impl RateDraft {
    /// The top of the scale the ratings on screen are on: the recorded decision's, else the
    /// session's.
    pub fn scale_shown(&self, session: u32) -> u32 {
        self.recorded_scale.unwrap_or(session)
    }
}

impl Draft {
    /// Nothing decided yet, for `n` candidates and `aspects` rate aspects.
    pub fn new(mode: TaskKind, n: usize, aspects: usize) -> Self {
        match mode {
            // A session is never in `Edit` mode.
            TaskKind::Pair | TaskKind::Edit => Draft::Pair(PairDraft::default()),
            // Best-worst keeps its picks as a ranking: the best, then the worst.
            TaskKind::Rank | TaskKind::BestWorst => Draft::Rank(RankDraft::default()),
            TaskKind::Rate => Draft::Rate(RateDraft {
                ratings: vec![None; n],
                aspect_ratings: vec![vec![None; aspects]; n],
                aspect: 0,
                recorded_scale: None,
            }),
        }
    }

    pub fn mode(&self) -> TaskKind {
        match self {
            Draft::Pair(_) => TaskKind::Pair,
            Draft::Rank(_) => TaskKind::Rank,
            Draft::Rate(_) => TaskKind::Rate,
        }
    }

    /// A recorded event's decision on `n` candidates; `pos` finds a candidate id's display
    /// position (`None`: not shown, left out).
    pub fn from_event(
        mode: TaskKind,
        ev: &Event,
        n: usize,
        aspects: &[String],
        pos: impl Fn(&str) -> Option<usize>,
    ) -> Self {
        let mut d = Draft::new(mode, n, aspects.len());
        match &mut d {
            Draft::Pair(p) => {
                p.choice = ev.choice.clone();
                p.strength = ev.strength;
            }
            Draft::Rank(r) if ev.task == TaskKind::BestWorst => {
                // Best-worst's picks: the best as the first tier, the worst as the second.
                r.tiers = [&ev.best, &ev.worst]
                    .into_iter()
                    .map_while(|id| id.as_deref().and_then(&pos).map(|p| vec![p]))
                    .collect();
            }
            Draft::Rank(r) => {
                if let Some(ranking) = &ev.ranking {
                    r.tiers = ranking
                        .iter()
                        .map(|tier| tier.iter().filter_map(|id| pos(id)).collect::<Vec<_>>())
                        .filter(|t| !t.is_empty())
                        .collect();
                }
            }
            Draft::Rate(r) => {
                for (id, v) in ev.ratings.iter().flatten() {
                    if let Some(p) = pos(id) {
                        r.ratings[p] = Some(*v);
                    }
                }
                for (a, name) in aspects.iter().enumerate() {
                    let row = ev.aspects.iter().flatten().filter(|(k, _)| *k == name);
                    for (id, v) in row.flat_map(|(_, m)| m) {
                        if let Some(p) = pos(id) {
                            r.aspect_ratings[p][a] = Some(*v);
                        }
                    }
                }
            }
        }
        d
    }

    /// Writes the decision into `ev`: `ids` are the candidate ids in display order. The draft is
    /// complete (the caller has checked): a ranking's unplaced candidates share the last place,
    /// a missing rating is written as 0.
    pub fn to_event(&self, ev: &mut Event, ids: &[String], aspects: &[String], scale: u32) {
        match self {
            Draft::Pair(p) => {
                ev.pair = Some([ids[0].clone(), ids[1].clone()]);
                ev.choice = p.choice.clone();
                ev.strength = p.strength;
            }
            Draft::Rank(r) => {
                ev.shown = Some(ids.to_vec());
                let mut ranking: Vec<Vec<String>> = r
                    .tiers
                    .iter()
                    .map(|t| t.iter().map(|&p| ids[p].clone()).collect())
                    .collect();
                // "Pick the best K": the others share the last place.
                let rest: Vec<String> = (0..ids.len())
                    .filter(|&p| r.rank_of(p).is_none())
                    .map(|p| ids[p].clone())
                    .collect();
                if !rest.is_empty() {
                    ranking.push(rest);
                }
                ev.ranking = Some(ranking);
            }
            Draft::Rate(r) if aspects.is_empty() => {
                ev.shown = Some(ids.to_vec());
                ev.ratings = Some(
                    ids.iter()
                        .zip(&r.ratings)
                        .map(|(id, v)| (id.clone(), v.unwrap_or(0)))
                        .collect(),
                );
                ev.scale = Some(scale);
            }
            Draft::Rate(r) => {
                ev.shown = Some(ids.to_vec());
                let mut per_aspect = BTreeMap::new();
                for (a, name) in aspects.iter().enumerate() {
                    let row: BTreeMap<String, u32> = ids
                        .iter()
                        .enumerate()
                        .map(|(p, id)| (id.clone(), r.aspect_ratings[p][a].unwrap_or(0)))
                        .collect();
                    per_aspect.insert(name.clone(), row);
                }
                // `ratings`: each candidate's mean over the aspects, rounded, so tools that read
                // only `ratings` still get one figure per candidate.
                ev.ratings = Some(
                    ids.iter()
                        .enumerate()
                        .map(|(p, id)| {
                            let sum: u32 = r.aspect_ratings[p].iter().flatten().sum();
                            let mean = f64::from(sum) / aspects.len() as f64;
                            (id.clone(), mean.round() as u32)
                        })
                        .collect(),
                );
                ev.aspects = Some(per_aspect);
                ev.scale = Some(scale);
            }
        }
    }

    pub fn pair(&self) -> Option<&PairDraft> {
        match self {
            Draft::Pair(p) => Some(p),
            _ => None,
        }
    }
    pub fn pair_mut(&mut self) -> Option<&mut PairDraft> {
        match self {
            Draft::Pair(p) => Some(p),
            _ => None,
        }
    }
    pub fn rank(&self) -> Option<&RankDraft> {
        match self {
            Draft::Rank(r) => Some(r),
            _ => None,
        }
    }
    pub fn rank_mut(&mut self) -> Option<&mut RankDraft> {
        match self {
            Draft::Rank(r) => Some(r),
            _ => None,
        }
    }
    pub fn rate(&self) -> Option<&RateDraft> {
        match self {
            Draft::Rate(r) => Some(r),
            _ => None,
        }
    }
    pub fn rate_mut(&mut self) -> Option<&mut RateDraft> {
        match self {
            Draft::Rate(r) => Some(r),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    fn pos(id: &str) -> Option<usize> {
        id.strip_prefix('c')?.parse().ok()
    }

    /// What a draft writes, it reads back: the two directions agree, per mode.
    #[test]
    fn a_draft_written_to_an_event_reads_back_the_same() {
        let aspects = ["helpfulness".to_string(), "honesty".to_string()];
        let drafts = [
            (
                Draft::Pair(PairDraft {
                    choice: Some("c1".into()),
                    strength: Some(3),
                    pending: None,
                }),
                &[][..],
            ),
            (
                Draft::Rank(RankDraft {
                    tiers: vec![vec![2], vec![0, 3], vec![1]],
                    ..Default::default()
                }),
                &[][..],
            ),
            (
                Draft::Rate(RateDraft {
                    ratings: vec![Some(1), Some(5), Some(3), Some(2)],
                    aspect_ratings: vec![vec![]; 4],
                    aspect: 0,
                    recorded_scale: None,
                }),
                &[][..],
            ),
            (
                Draft::Rate(RateDraft {
                    ratings: vec![Some(2), Some(3), Some(3), Some(4)],
                    aspect_ratings: vec![
                        vec![Some(1), Some(3)],
                        vec![Some(2), Some(4)],
                        vec![Some(3), Some(3)],
                        vec![Some(4), Some(4)],
                    ],
                    aspect: 0,
                    recorded_scale: None,
                }),
                &aspects[..],
            ),
        ];
        for (d, aspects) in drafts {
            let mode = d.mode();
            let n = if mode == TaskKind::Pair { 2 } else { 4 };
            let mut ev = Event::new("ann", "q1", None, mode);
            d.to_event(&mut ev, &ids(n), aspects, 5);
            let back = Draft::from_event(mode, &ev, n, aspects, pos);
            assert_eq!(back, d, "{ev:?}");
        }
    }

    #[test]
    fn pick_the_best_k_puts_the_others_in_one_last_tier() {
        let d = Draft::Rank(RankDraft {
            tiers: vec![vec![1]],
            ..Default::default()
        });
        let mut ev = Event::new("ann", "q1", None, TaskKind::Rank);
        d.to_event(&mut ev, &ids(3), &[], 5);
        assert_eq!(
            ev.ranking,
            Some(vec![vec!["c1".to_string()], vec!["c0".into(), "c2".into()]])
        );
    }
}
