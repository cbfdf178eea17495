//! Building and recording decisions: the keys of each mode, submit, skip, undo, flags and
//! rationales, and the way an event goes from the screen to the writer (one at a time, in
//! order) before the screen moves on.

use crate::labels::{Event, Role, TaskKind, VIA_SORT, VIA_VERIFY, VIA_VERIFY_AGAIN};
use crate::taskfile::RationaleMode;
use crate::tui::draft::{Draft, PairDraft};
use crate::tui::keymap::Action;
use crate::tui::model::{Focus, Model, Overlay, SaveState};
use crate::tui::textarea::RationaleEditor;

use super::Effect;
use super::navigating::{review_go, set_focus};

/// The keys that decide or build the decision on screen.
pub(super) fn key(m: &mut Model, a: Action, fx: &mut Vec<Effect>) {
    if !matches!(a, Action::Undo | Action::Skip) && !super::handed::may_decide(m) {
        return;
    }
    match a {
        Action::Number(n) => match m.keys_mode() {
            TaskKind::Pair | TaskKind::Edit => pair_number(m, n, fx),
            TaskKind::Rank => rank_number(m, n),
            TaskKind::Rate => rate_number(m, n),
            TaskKind::BestWorst => best_worst_number(m, n, fx),
        },
        Action::ChooseLeft | Action::ChooseRight | Action::Tie | Action::BothBad => {
            choose(m, a, fx)
        }
        Action::TieNext => tie_next(m),
        Action::RemovePick => remove_pick(m),
        Action::Submit => submit(m, fx),
        Action::Skip => {
            let mut ev = base_event(m);
            ev.skip = true;
            if m.mode == TaskKind::Pair {
                ev.pair = Some(pair_ids(m));
            }
            commit(m, ev, fx);
        }
        Action::Undo => undo(m, fx),
        Action::Rationale => {
            if m.spec.rationale == RationaleMode::Off {
                m.status =
                    Some("this task has no rationales (the task file can ask for them)".into());
            } else {
                m.editor = Some(RationaleEditor::new(&m.view.rationale));
            }
        }
        Action::Flag(i) => flag(m, i),
        Action::NextAspect => {
            let n = m.spec.rate.aspects.len();
            if let Some(r) = m.view.draft.rate_mut()
                && n > 0
            {
                r.aspect = (r.aspect + 1) % n;
                m.status = Some(format!("rating {}", m.spec.rate.aspects[r.aspect]));
            }
        }
        _ => {}
    }
}

/// Pair mode: a, b, t, x (and 1, 2). With strength, a side waits for one more key that says
/// how much better.
fn choose(m: &mut Model, a: Action, fx: &mut Vec<Effect>) {
    if m.keys_mode() != TaskKind::Pair {
        m.status = Some(format!(
            "that key is for pair mode; this is {} mode (? for help)",
            m.mode_name()
        ));
        return;
    }
    let l = m.view.order[0];
    let r = m.view.order[1];
    let choice = match a {
        Action::ChooseLeft => m.view.item.candidates[l].id.clone(),
        Action::ChooseRight => m.view.item.candidates[r].id.clone(),
        Action::Tie => "tie".into(),
        _ => "both_bad".into(),
    };
    let sided = matches!(a, Action::ChooseLeft | Action::ChooseRight);
    let Some(strength) = m.spec.strength.as_ref().filter(|_| sided) else {
        decide_pair(m, choice, None, fx);
        return;
    };
    // One more key says how much better.
    let side = if a == Action::ChooseLeft { "A" } else { "B" };
    // The first word of each label keeps this on one 80-column line; `?` shows them whole.
    let w = |i: usize| {
        strength.labels[i]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    };
    m.status = Some(format!(
        "how much better is {side}? 1 {} · 2 {} · 3 {} · 4 {} · Esc cancels",
        w(0),
        w(1),
        w(2),
        w(3)
    ));
    if let Some(p) = m.view.draft.pair_mut() {
        p.pending = Some(choice);
    }
}

/// Pair mode's digits: the strength of a side waiting for it, else 1 = left, 2 = right.
fn pair_number(m: &mut Model, n: u8, fx: &mut Vec<Effect>) {
    let waiting = m.view.draft.pair().is_some_and(|p| p.pending.is_some());
    match (waiting, n) {
        (true, 1..=4) => {
            let choice = m.view.draft.pair_mut().and_then(|p| p.pending.take());
            decide_pair(m, choice.unwrap_or_default(), Some(n), fx);
        }
        (true, _) => m.status = Some("strength: 1, 2, 3 or 4 (Esc cancels)".into()),
        (false, 1) => choose(m, Action::ChooseLeft, fx),
        (false, 2) => choose(m, Action::ChooseRight, fx),
        (false, _) => m.status = Some("pair mode: 1 or a = left, 2 or b = right".into()),
    }
}

/// Rank mode's `=`: the next pick ties with the last tier.
fn tie_next(m: &mut Model) {
    let ties = m.spec.rank.ties;
    let Some(r) = m.view.draft.rank_mut() else {
        return;
    };
    m.status = Some(if !ties {
        "this task does not allow ties".into()
    } else if r.tiers.is_empty() {
        "pick the best candidate first, then = ties the next pick with it".into()
    } else {
        r.tie_next = true;
        format!("the next pick ties with rank #{}", r.tiers.len())
    });
}

/// Backspace: takes back the last pick (rank), or clears the focused rating (rate).
fn remove_pick(m: &mut Model) {
    let focus = m.view.focus;
    match &mut m.view.draft {
        Draft::Rank(r) => {
            if r.auto_last {
                r.tiers.pop();
                r.auto_last = false;
            }
            if let Some(t) = r.tiers.last_mut() {
                t.pop();
                if t.is_empty() {
                    r.tiers.pop();
                }
            }
            r.tie_next = false;
        }
        Draft::Rate(r) => {
            if let Focus::Pane(p) = focus {
                r.ratings[p] = None;
            }
        }
        Draft::Pair(_) => {}
    }
}

/// Toggles the task file's flag `i` on the focused candidate.
fn flag(m: &mut Model, i: u8) {
    let Some(flag) = m.spec.flags.get(usize::from(i)).map(|f| f.name.clone()) else {
        return;
    };
    let p = match m.view.focus {
        Focus::Pane(p) => p,
        Focus::Prompt => m.view.last_pane,
    };
    let id = m.view.item.candidates[m.view.order[p]].id.clone();
    let set = m.view.flags.entry(id).or_default();
    let on = if set.remove(&flag) {
        false
    } else {
        set.insert(flag.clone());
        true
    };
    m.status = Some(format!(
        "[{}] {} \"{flag}\"",
        p + 1,
        if on { "flagged" } else { "no longer flagged" }
    ));
}

/// Rank mode's digits: the next pick (tied with the last tier after `=`); the last candidate
/// is placed automatically; a digit on a recorded ranking shown again starts a new one, and
/// on one complete and not yet submitted is refused (typing every number, the last one
/// included, would otherwise throw the ranking away and start another).
fn rank_number(m: &mut Model, n: u8) {
    let count = m.view.order.len();
    let pos = usize::from(n) - 1;
    if pos >= count {
        m.status = Some(format!("there are only {count} candidates"));
        return;
    }
    let target = m.rank_target();
    let recorded = m.view.draft == m.view.shown;
    let Some(r) = m.view.draft.rank_mut() else {
        return;
    };
    if r.placed() >= target {
        // `=` then the automatically placed last candidate: tie it with the tier above.
        if r.tie_next
            && r.auto_last
            && r.tiers.last().is_some_and(|t| t == &vec![pos])
            && r.tiers.len() >= 2
        {
            r.tiers.pop();
            if let Some(t) = r.tiers.last_mut() {
                t.push(pos);
            }
            r.tie_next = false;
            r.auto_last = false;
            return;
        }
        if !recorded {
            m.status = Some(if r.auto_last && r.tiers.last() == Some(&vec![pos]) {
                format!(
                    "[{n}] was placed last for you: Enter submits the ranking (= then {n} ties it with the one above)"
                )
            } else {
                "the ranking is complete: Enter submits it, Backspace takes back the last pick"
                    .into()
            });
            return;
        }
        // A recorded ranking shown again: a number starts a new one.
        r.tiers.clear();
        r.auto_last = false;
        r.tie_next = false;
    }
    if let Some(k) = r.rank_of(pos) {
        m.status = Some(format!(
            "[{n}] is already ranked #{k}; Backspace takes back the last pick"
        ));
        return;
    }
    if r.tie_next && !r.tiers.is_empty() {
        if let Some(t) = r.tiers.last_mut() {
            t.push(pos);
        }
    } else {
        r.tiers.push(vec![pos]);
    }
    r.tie_next = false;
    if target == count && r.placed() == count - 1 {
        let last = (0..count).find(|&p| r.rank_of(p).is_none());
        if let Some(last) = last {
            r.tiers.push(vec![last]);
            r.auto_last = true;
        }
    }
    // Complete: the footer shows the ranking and that Enter submits it.
}

/// Best-worst mode's digits: the first press picks the best, the second the worst, which
/// records the decision and moves on. The picks are kept as a ranking draft: the best as its
/// first tier, the worst as its second.
fn best_worst_number(m: &mut Model, n: u8, fx: &mut Vec<Effect>) {
    let count = m.view.order.len();
    let pos = usize::from(n) - 1;
    if pos >= count {
        m.status = Some(format!("there are only {count} candidates"));
        return;
    }
    let Some(r) = m.view.draft.rank_mut() else {
        return;
    };
    if r.tiers.len() >= 2 {
        // A recorded decision on screen: a number starts a new one.
        r.tiers.clear();
    }
    match r.tiers.first().and_then(|t| t.first()).copied() {
        None => {
            r.tiers.push(vec![pos]);
            // The footer says which press comes next.
            m.status = None;
        }
        Some(best) if best == pos => {
            m.status = Some(format!(
                "[{n}] is already the best; press the number of the WORST, another candidate"
            ));
        }
        Some(best) => {
            r.tiers.push(vec![pos]);
            let ids = shown_ids(m);
            let mut ev = base_event(m);
            ev.best = Some(ids[best].clone());
            ev.worst = Some(ids[pos].clone());
            commit(m, ev, fx);
        }
    }
}

/// Rate mode's digits: a rating for the focused candidate (or, with aspects, for it on the
/// aspect shown); focus moves on to the next one unrated.
fn rate_number(m: &mut Model, n: u8) {
    let count = m.view.order.len();
    let r = u32::from(n);
    if r > m.scale {
        m.status = Some(format!("ratings go from 1 to {}", m.scale));
        return;
    }
    let p = match m.view.focus {
        Focus::Pane(p) => p,
        Focus::Prompt => m.view.last_pane,
    };
    let Some(d) = m.view.draft.rate_mut() else {
        return;
    };
    if let Some(old) = d.recorded_scale.take() {
        // The recorded ratings were on another scale: they are not carried over.
        d.ratings.iter_mut().for_each(|x| *x = None);
        d.aspect_ratings
            .iter_mut()
            .flatten()
            .for_each(|x| *x = None);
        m.status = Some(format!(
            "the recorded ratings were on 1-{old}; rate every candidate again on 1-{}",
            m.scale
        ));
    }
    let label = m
        .spec
        .rate
        .labels
        .get(r as usize - 1)
        .cloned()
        .unwrap_or_else(|| format!("{r}"));
    if !m.spec.rate.aspects.is_empty() {
        rate_aspect(m, p, r, &label);
        return;
    }
    d.ratings[p] = Some(r);
    let next = (1..=count)
        .map(|k| (p + k) % count)
        .find(|&q| d.ratings[q].is_none());
    match next {
        Some(q) => set_focus(m, Focus::Pane(q)),
        None => {
            set_focus(m, Focus::Pane(p));
            m.status = Some("all rated: Enter submits".into());
        }
    }
}

/// Enter: records the ranking or the ratings built, once complete; until then says what is
/// missing (and, in rate mode, focuses it).
pub(super) fn submit(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.sorting() {
        // Each answer is recorded as it is given, the ranking when the sort is complete.
        return;
    }
    match m.mode {
        TaskKind::Pair | TaskKind::Edit => return,
        TaskKind::BestWorst => {
            m.status = Some("press the number of the best, then of the worst".into());
            return;
        }
        TaskKind::Rank => {
            let count = m.view.order.len();
            let placed = m.ranked_count();
            let target = m.rank_target();
            if placed < target {
                m.status = Some(if target < count {
                    format!("pick the best {target} first: {placed} picked")
                } else {
                    format!("rank every candidate first: {placed} of {count} placed")
                });
                return;
            }
        }
        TaskKind::Rate if !m.spec.rate.aspects.is_empty() => {
            if aspect_missing(m) {
                return;
            }
        }
        TaskKind::Rate => {
            let Some(d) = m.view.draft.rate() else {
                return;
            };
            if let Some(p) = d.ratings.iter().position(Option::is_none) {
                let left = d.ratings.iter().filter(|r| r.is_none()).count();
                m.status = Some(format!("rate every candidate first: {left} to go"));
                set_focus(m, Focus::Pane(p));
                return;
            }
        }
    }
    let ids = shown_ids(m);
    let mut ev = base_event(m);
    m.view
        .draft
        .to_event(&mut ev, &ids, &m.spec.rate.aspects, m.scale);
    commit(m, ev, fx);
}

/// A pair decision: the choice (a candidate id, "tie" or "both_bad") and its strength.
pub(super) fn decide_pair(
    m: &mut Model,
    choice: String,
    strength: Option<u8>,
    fx: &mut Vec<Effect>,
) {
    if m.sorting() {
        sort_answer(m, choice, strength, fx);
        return;
    }
    let mut ev = base_event(m);
    if m.recheck.as_ref() == Some(&m.view.key) {
        ev.via = Some(crate::labels::VIA_CYCLE.into());
        m.recheck = None;
    }
    let d = Draft::Pair(PairDraft {
        choice: Some(choice),
        strength,
        pending: None,
    });
    d.to_event(&mut ev, &shown_ids(m), &[], m.scale);
    commit(m, ev, fx);
}

/// Sort mode: records the answer to the question on screen as a pair decision (`"via":
/// "sort"`), then shows the next question; the answer that completes the sort also records the
/// ranking (`"via": "sort"`, with the pairs asked) and moves on to the next item.
fn sort_answer(m: &mut Model, choice: String, strength: Option<u8>, fx: &mut Vec<Effect>) {
    if let Some(check) = m.view.sort.as_ref().and_then(|s| s.check.clone()) {
        // A check of the recorded ranking: the answer is a pair decision of its own; one
        // that goes against the ranking is asked once more.
        let worse = m.view.item.candidates[check.worse].id.clone();
        let against = choice == worse;
        let mut ev = base_event(m);
        ev.task = TaskKind::Pair;
        ev.pair = Some(pair_ids(m));
        ev.choice = Some(choice);
        ev.strength = strength;
        ev.via = Some(
            if check.again {
                VIA_VERIFY_AGAIN
            } else {
                VIA_VERIFY
            }
            .into(),
        );
        ev.rationale = None;
        record(m, ev, fx);
        advance(m);
        if against && !check.again {
            m.status =
                Some("that answer goes against your ranking: look at this pair once more".into());
        }
        return;
    }
    let mut ev = base_event(m);
    ev.task = TaskKind::Pair;
    ev.pair = Some(pair_ids(m));
    ev.choice = Some(choice);
    ev.strength = strength;
    ev.via = Some(VIA_SORT.into());
    // A rationale goes with the ranking the answers add up to.
    ev.rationale = None;
    record(m, ev, fx);
    let item = std::sync::Arc::clone(&m.view.item);
    let (shown, sorter) = m.sort_of(&item);
    let Some(ranking) = sorter.ranking() else {
        let (flags, rationale) = (m.view.flags.clone(), m.view.rationale.clone());
        let cur = m.current;
        m.go_to(cur);
        m.view.flags = flags;
        m.view.rationale = rationale;
        m.status = Some(format!(
            "question {} of at most {}",
            sorter.asked().len() + 1,
            sorter.at_most()
        ));
        return;
    };
    let id = |c: usize| item.candidates[c].id.clone();
    let mut ev = base_event(m);
    ev.shown = Some(shown.iter().map(|&c| id(c)).collect());
    ev.ranking = Some(
        ranking
            .iter()
            .map(|t| t.iter().map(|&c| id(c)).collect())
            .collect(),
    );
    ev.via = Some(VIA_SORT.into());
    let mut asked = Vec::new();
    let (mut ms, mut wall) = (0, 0);
    for &(x, y, _) in sorter.asked() {
        let (l, r) = crate::tasks::sides(&item, &m.annotator, x, y, m.shuffle);
        let key = crate::labels::TaskKey::pair(&item.id, &id(l), &id(r));
        if let Some(e) = m.decisions.get(&key) {
            ms += e.ms.unwrap_or(0);
            wall += e.wall_ms.unwrap_or(0);
        }
        asked.push([id(l), id(r)]);
    }
    ev.asked = Some(asked);
    // The time of the whole sort: its questions' times added up.
    ev.ms = Some(ms);
    ev.wall_ms = Some(wall);
    commit(m, ev, fx);
}

/// Records a decision (or skip) and moves on, unless the task file requires a rationale that
/// is still missing: then the editor opens and the decision waits for it.
pub(super) fn commit(m: &mut Model, ev: Event, fx: &mut Vec<Effect>) {
    if !crate::tui::nothing_left::allowed(m, &ev) {
        return;
    }
    if ev.is_decision()
        && m.spec.rationale == RationaleMode::Required
        && ev.rationale.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        m.editor = Some(RationaleEditor::new(&m.view.rationale));
        m.pending = Some(ev);
        m.status =
            Some("this task asks for a rationale: write it, then Esc records the decision".into());
        return;
    }
    let rushed = ev.is_decision()
        && m.spec
            .min_seconds
            .is_some_and(|min| (ev.ms.unwrap_or(0) as f64) < min * 1000.0);
    let cycle_check =
        m.mode == TaskKind::Pair && ev.is_decision() && m.spec.check_cycles && m.review.is_none();
    let gold_miss = gold_miss(m, &ev);
    record(m, ev, fx);
    let item = std::sync::Arc::clone(&m.view.item);
    match cycle_check.then(|| m.cycle_to_recheck(&item)).flatten() {
        Some((key, ids)) => recheck(m, key, &ids),
        None => advance(m),
    }
    if rushed {
        m.rushed += 1;
        m.status = Some(format!(
            "that was quick: the guidelines ask for at least {} s per decision (u takes it back)",
            m.spec.min_seconds.unwrap_or(0.0)
        ));
    }
    if let Some(text) = gold_miss {
        // A box the reason fits in whole (a status line cuts it at 80 columns), and the line
        // under it for after.
        m.overlay = Overlay::GoldMiss { text: text.clone() };
        m.status = Some(text);
    }
}

/// With `gold_feedback` on: what to tell a labeler whose decision missed a gold item's
/// expected answer (the answer, by the start of its text, and the reason).
fn gold_miss(m: &Model, ev: &Event) -> Option<String> {
    if !m.spec.gold_feedback || !ev.is_decision() || m.review.is_some() {
        return None;
    }
    let answer = m.gold.get(m.tasks.locate(m.current).0)?;
    if answer.judge(&m.view.item, ev) != Some(false) {
        return None;
    }
    let item = &m.view.item;
    let text_of = |id: &str| {
        let t = item
            .candidate_index(id)
            .map_or(id, |i| item.candidates[i].text.as_str());
        let one_line: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("\"{}\"", crate::text::truncate(&one_line, 40))
    };
    let expected = match &answer.expected {
        crate::gold::Expected::Best(b) => format!("{} is the better answer", text_of(b)),
        crate::gold::Expected::Tie => "the two answers are equally good".into(),
        crate::gold::Expected::BothBad => "both answers are bad".into(),
        crate::gold::Expected::Ranking(t) => t
            .iter()
            .map(|tier| {
                tier.iter()
                    .map(|id| text_of(id))
                    .collect::<Vec<_>>()
                    .join(" = ")
            })
            .collect::<Vec<_>>()
            .join(" > "),
    };
    let reason = answer
        .reason
        .as_ref()
        .map_or(String::new(), |r| format!(" - {r}"));
    Some(format!("✗ that was a check item: {expected}{reason}"))
}

pub(super) fn shown_ids(m: &Model) -> Vec<String> {
    m.view
        .order
        .iter()
        .map(|&i| m.view.item.candidates[i].id.clone())
        .collect()
}

pub(super) fn pair_ids(m: &Model) -> [String; 2] {
    let ids = shown_ids(m);
    [ids[0].clone(), ids[1].clone()]
}

pub(super) fn base_event(m: &Model) -> Event {
    let mut ev = Event::new(
        &m.annotator,
        &m.view.item.id,
        Some(&m.view.item.hash),
        m.mode,
    );
    ev.ms = Some(m.task_ms());
    ev.wall_ms = Some(m.task_wall_ms());
    let flags: std::collections::BTreeMap<String, Vec<String>> = m
        .view
        .flags
        .iter()
        .filter(|(_, f)| !f.is_empty())
        .map(|(id, f)| (id.clone(), f.iter().cloned().collect()))
        .collect();
    if !flags.is_empty() {
        ev.flags = Some(flags);
    }
    if !m.view.rationale.trim().is_empty() {
        ev.rationale = Some(m.view.rationale.trim().to_string());
    }
    if m.review.is_some() {
        ev.set_role(Role::Adjudicator);
    }
    ev.repeat = m.repeat_on_screen;
    if m.mode == TaskKind::BestWorst {
        // The tuple's name is its key's (none when all candidates are shown).
        ev.tuple = m.view.key.pair.as_ref().map(|(t, _)| t.clone());
        ev.shown = Some(shown_ids(m));
    }
    ev
}

/// Applies an event to the model and hands it to the writer.
pub(super) fn record(m: &mut Model, ev: Event, fx: &mut Vec<Effect>) {
    let seq = m.next_seq;
    m.next_seq += 1;
    // A hidden repeat is no new decision: counting it would tell the labeler one was served.
    if ev.is_decision() && ev.task != TaskKind::Edit && !ev.repeat {
        m.session_decisions += 1;
        m.decided_at.push(m.session_clock.active_ms(m.now_ms));
    }
    if !ev.retract {
        m.undo.recorded(ev.key());
    }
    m.apply_mine(ev.clone());
    m.unsaved.insert(seq, ev);
    m.save = match &m.save {
        // An earlier event is waiting for a retry: this one waits behind it (written in order
        // by `send_next`), or the log could end up saying something the labeler did not do last.
        SaveState::Failed {
            error, failures, ..
        } => SaveState::Failed {
            pending: m.unsaved.len(),
            error: error.clone(),
            failures: *failures,
        },
        _ => {
            send_next(m, fx);
            SaveState::Saving(m.unsaved.len())
        }
    };
}

/// Hands the oldest unsaved event to the writer when nothing is being written. One write at a
/// time keeps the log in the order the labeler acted, also when a write fails and is retried;
/// the writer may work on another thread, so keys are never held up by a slow fsync.
pub(super) fn send_next(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.in_flight.is_some() {
        return;
    }
    if let Some((&seq, ev)) = m.unsaved.first_key_value() {
        m.in_flight = Some(seq);
        fx.push(Effect::Append {
            seq,
            event: Box::new(ev.clone()),
        });
    }
}

/// Writes the oldest held event; each success (`Msg::Saved`) writes the next one. One at a
/// time and oldest first, so the log gets the events in the order they were made: a retried
/// decision must not land after a later undo or re-decision of the same task.
pub(super) fn retry(m: &mut Model, fx: &mut Vec<Effect>) {
    send_next(m, fx);
}

/// Shows the pair of a cycle to decide once more, and says why.
fn recheck(m: &mut Model, key: crate::labels::TaskKey, ids: &[String]) {
    let Some(i) = m.task_of(&key) else {
        advance(m);
        return;
    };
    m.go_to(i);
    m.view.decided = false;
    m.recheck = Some(key);
    // Candidate ids are not on screen, and letters would clash with the panes' A and B: the
    // circle is told by its size ("3 answers, each preferred to the next and the last to the
    // first").
    m.status = Some(format!(
        "your answers here go round in a circle of {}: look at this pair again",
        ids.len()
    ));
}

/// After a decision: the next task that is neither decided nor skipped (in review: the next
/// in the list).
pub(super) fn advance(m: &mut Model) {
    if m.review.as_ref().is_some_and(|r| r.pos + 1 >= r.list.len()) {
        super::navigating::whole_review_list(m);
    }
    if let Some(r) = &m.review {
        let (pos, len) = (r.pos, r.list.len());
        if pos + 1 < len {
            review_go(m, pos + 1);
        } else {
            let cur = m.current;
            m.go_to(cur);
            m.status = Some("that was the last task of this filter (f: next filter)".into());
        }
        return;
    }
    if m.sorting() && m.spec.verify > 0.0 {
        // The item's checks, if any are left, before the next item.
        let cur = m.current;
        m.go_to(cur);
        if m.view.sort.as_ref().is_some_and(|s| s.check.is_some()) {
            return;
        }
    }
    if let Some(i) = m.repeat_due() {
        m.go_to_repeat(i);
        return;
    }
    let from = (m.current + 1) % m.tasks.len();
    match m.first_open_from(from) {
        Some(i) => m.go_to(i),
        None if m.handed.is_some() => {
            let cur = m.current;
            m.go_to(cur);
            super::handed::wait(m);
        }
        None if !m.checking_done() => {
            // A big file still being read: the next task is on its way, not "done".
            let cur = m.current;
            m.go_to(cur);
            m.awaiting = true;
            m.status = Some("reading the file: the next task appears in a moment".into());
        }
        None => {
            let cur = m.current;
            m.go_to(cur);
            m.show_done();
        }
    }
}

/// `u`: takes back the latest standing decision or skip and reopens its task with the values
/// filled in, ready to change one. One from an earlier session is asked about first.
pub(super) fn undo(m: &mut Model, fx: &mut Vec<Effect>) {
    let Some(last) = m.last_undoable() else {
        m.status = Some("nothing to undo".into());
        return;
    };
    let key = last.key();
    if let Some(h) = m.handed.as_mut()
        && !h.reopened.contains(&key)
    {
        h.reopened.push(key.clone());
    }
    if m.undo.needs_asking(&key) {
        m.overlay = Overlay::ConfirmUndo {
            item: crate::tui::content::one_line(&last.item),
            when: crate::tui::undo::when(&last.at),
        };
        return;
    }
    take_back(m, last, fx);
}

pub(super) fn take_back(m: &mut Model, last: Event, fx: &mut Vec<Effect>) {
    if last.task == TaskKind::Edit {
        take_back_edit(m, last, fx);
        return;
    }
    let key = last.key();
    let earlier = m.undo.is_earlier(&key);
    let mut ev = Event::new(
        &m.annotator,
        &last.item,
        last.item_hash.as_deref(),
        last.task,
    );
    ev.pair = last.pair.clone();
    ev.tuple = last.tuple.clone();
    ev.retract = true;
    ev.repeat = last.repeat;
    let was_decision = last.is_decision();
    if was_decision {
        m.extras.reopened.insert(key.clone());
    }
    record(m, ev, fx);
    if was_decision && !earlier && !last.repeat {
        m.session_decisions = m.session_decisions.saturating_sub(1);
        m.decided_at.pop();
    }
    // Sort mode: undoing a ranking takes back the question that completed it too, so the
    // labeler answers that question again.
    let mut last = last;
    if m.sorting()
        && was_decision
        && last.task == TaskKind::Rank
        && last.via_sort()
        && let Some([l, r]) = last.asked.as_ref().and_then(|a| a.last()).cloned()
    {
        let key = crate::labels::TaskKey::pair(&last.item, &l, &r);
        if let Some(q) = m.decisions.get(&key).filter(|e| e.is_decision()).cloned() {
            let mut ev = Event::new(&m.annotator, &q.item, q.item_hash.as_deref(), q.task);
            ev.pair = q.pair.clone();
            ev.retract = true;
            record(m, ev, fx);
            last = q;
        }
    }
    let target = m.task_of(&key);
    match target {
        Some(i) => {
            if last.repeat {
                m.go_to_repeat(i);
            } else {
                m.go_to(i);
            }
            if was_decision && m.sorting() {
                // The question taken back is on screen again, its answer shown.
                if let (Some(p), Some(c)) = (m.view.draft.pair_mut(), &last.choice) {
                    p.choice = Some(c.clone());
                }
                m.view.decided = false;
            } else if was_decision && last.task == TaskKind::BestWorst {
                // One press back: the best stays picked, the worst is asked again.
                m.view.fill_from(&last, &m.spec.rate.aspects);
                if let Some(r) = m.view.draft.rank_mut() {
                    r.tiers.truncate(1);
                }
                m.view.decided = false;
            } else if was_decision {
                m.view.fill_from(&last, &m.spec.rate.aspects);
                m.view.decided = false;
            }
            m.status = Some(format!(
                "undone: task {} is open again{}",
                i + 1,
                if was_decision {
                    reopened_hint(m.keys_mode())
                } else {
                    ""
                }
            ));
        }
        None => m.status = Some("undone (that task is not in this file)".into()),
    }
}

/// Undo of an edit: its retraction, and the screen on its item.
fn take_back_edit(m: &mut Model, last: Event, fx: &mut Vec<Effect>) {
    let mut ev = Event::new(
        &m.annotator,
        &last.item,
        last.item_hash.as_deref(),
        TaskKind::Edit,
    );
    ev.source = last.source.clone();
    ev.retract = true;
    record(m, ev, fx);
    if m.view.item.id != last.item
        && let Some(i) = m.first_task_of_item(&last.item)
    {
        m.go_to(i);
    }
    m.status = Some(format!(
        "undone: the edit of \"{}\" is taken back",
        last.source.as_deref().unwrap_or("")
    ));
}

/// What to do with a reopened decision whose values are filled in.
pub(super) fn reopened_hint(mode: TaskKind) -> &'static str {
    match mode {
        TaskKind::Pair => ", your choice shown: a/b/t/x decides again",
        TaskKind::Edit => ", the candidate as it was before the edit",
        TaskKind::Rank => ", your ranking filled in: Bksp takes back picks, Enter submits",
        TaskKind::Rate => ", your ratings filled in: rate one again, Enter submits",
        TaskKind::BestWorst => {
            ", your best still picked: press the number of the WORST (Bksp: the best too)"
        }
    }
}

/// Rate mode with aspects: a rating for (candidate, current aspect); then the next empty cell,
/// going across the candidates for one aspect before the next aspect (comparing answers on one
/// aspect at a time).
fn rate_aspect(m: &mut Model, p: usize, r: u32, label: &str) {
    let aspects = m.spec.rate.aspects.len();
    let count = m.view.order.len();
    let Some(d) = m.view.draft.rate_mut() else {
        return;
    };
    let a = d.aspect.min(aspects - 1);
    d.aspect_ratings[p][a] = Some(r);
    let cells = count * aspects;
    let start = a * count + p;
    let next = (1..=cells)
        .map(|k| (start + k) % cells)
        .find(|&c| d.aspect_ratings[c % count][c / count].is_none());
    let name = m.spec.rate.aspects[a].clone();
    match next {
        Some(c) => {
            d.aspect = c / count;
            set_focus(m, Focus::Pane(c % count));
            m.status = Some(format!("[{}] {name}: {label}", p + 1));
        }
        None => m.status = Some("every aspect rated: Enter submits".into()),
    }
}

/// Rate mode with aspects, on Enter: the first cell still empty (aspect by aspect), shown and
/// said; false when every cell is rated.
fn aspect_missing(m: &mut Model) -> bool {
    let count = m.view.order.len();
    let aspects = &m.spec.rate.aspects;
    let Some(d) = m.view.draft.rate_mut() else {
        return true;
    };
    let missing = (0..aspects.len())
        .flat_map(|a| (0..count).map(move |p| (a, p)))
        .find(|&(a, p)| d.aspect_ratings[p][a].is_none());
    let Some((a, p)) = missing else {
        return false;
    };
    let left = d
        .aspect_ratings
        .iter()
        .flatten()
        .filter(|r| r.is_none())
        .count();
    d.aspect = a;
    m.status = Some(format!("{left} ratings to go: [{}] {}", p + 1, aspects[a]));
    set_focus(m, Focus::Pane(p));
    true
}
