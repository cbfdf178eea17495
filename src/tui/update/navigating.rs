//! Moving around: between tasks (in review, along the filter's list), between panes, through
//! lines; `:` jump and `/` search, and serving tasks that arrive while a big file is read.

use crate::tui::content::PaneId;
use crate::tui::keymap::Action;
use crate::tui::layout::{self, areas, inner};
use crate::tui::model::{Focus, Input, InputKind, Model, Overlay};
use crate::tui::review::{
    Filter, Review, SCAN_STEP, build_list, extend_list, list_partial, matches,
};

use super::{InputKey, prepare};

/// The keys that move: between tasks (and review's list), panes, lines; what is shown.
pub(super) fn key(m: &mut Model, a: Action) {
    match a {
        Action::NextTask if m.review.is_some() => review_step(m, 1),
        Action::PrevTask if m.review.is_some() => review_step(m, -1),
        Action::NextUndecided if m.review.is_some() => review_next_undecided(m),
        Action::CycleFilter => match &m.review {
            Some(r) => {
                let names = crate::tui::review::annotator_names(m);
                let f = r.filter.next(&names);
                start_review(m, f);
            }
            None => m.status = Some("filters are for review mode (prefer review)".into()),
        },
        Action::Jump => {
            m.input = Some(Input {
                kind: InputKind::Jump,
                text: String::new(),
            });
        }
        Action::Search => {
            m.input = Some(Input {
                kind: InputKind::Search,
                text: String::new(),
            });
        }
        Action::SearchNext => match m.last_search.clone() {
            Some(q) => search(m, &q, true),
            None => m.status = Some("no search yet: / searches".into()),
        },
        Action::NextTask => {
            if m.current + 1 < m.tasks.len() {
                m.go_to(m.current + 1);
            } else {
                m.status = Some("this is the last task".into());
            }
        }
        Action::PrevTask => {
            if m.current > 0 {
                m.go_to(m.current - 1);
            } else {
                m.status = Some("this is the first task".into());
            }
        }
        Action::NextUndecided => next_undecided(m),
        Action::FocusNext | Action::FocusPrev | Action::FocusLeft | Action::FocusRight => {
            focus_pane(m, a)
        }
        Action::FocusPrompt => {
            let f = match m.view.focus {
                Focus::Prompt => Focus::Pane(m.view.last_pane),
                Focus::Pane(_) => Focus::Prompt,
            };
            set_focus(m, f);
        }
        Action::TogglePrompt => {
            m.prompt_collapsed = !m.prompt_collapsed;
            // Candidates with their own conversations fold or unfold their earlier turns
            // with it: they open again at the answer judged.
            let own = |ci: &usize| m.view.item.candidates[*ci].messages.is_some();
            if m.view.order.iter().any(own) {
                m.view.scroll.iter_mut().for_each(|s| *s = usize::MAX);
            }
            if m.prompt_collapsed && m.view.focus == Focus::Prompt {
                set_focus(m, Focus::Pane(m.view.last_pane));
            }
        }
        Action::ScrollDown => scroll(m, 1),
        Action::ScrollUp => scroll(m, -1),
        Action::PageDown => {
            let h = focused_height(m).saturating_sub(1).max(1);
            scroll(m, h as isize);
        }
        Action::PageUp => {
            let h = focused_height(m).saturating_sub(1).max(1);
            scroll(m, -(h as isize));
        }
        Action::Top => scroll(m, isize::MIN / 2),
        Action::Bottom => scroll(m, isize::MAX / 2),
        Action::Zoom => m.zoom = !m.zoom,
        Action::ToggleRaw => {
            let pane = match m.view.focus {
                Focus::Prompt => PaneId::Prompt,
                Focus::Pane(p) => PaneId::Cand(m.view.order[p]),
            };
            let raw = !m.raw_panes.remove(&pane);
            if raw {
                m.raw_panes.insert(pane);
            }
            m.status = Some(if raw {
                "this pane shows the text as written (M: rendered again)".into()
            } else {
                "this pane shows the text rendered as Markdown (M: as written)".into()
            });
        }
        Action::ToggleRawAll => {
            let focused = match m.view.focus {
                Focus::Prompt => PaneId::Prompt,
                Focus::Pane(p) => PaneId::Cand(m.view.order[p]),
            };
            let raw = !m.raw_panes.contains(&focused);
            m.raw_panes.clear();
            if raw {
                m.raw_panes.insert(PaneId::Prompt);
                m.raw_panes
                    .extend((0..m.view.item.candidates.len()).map(PaneId::Cand));
            }
            m.status = Some(if raw {
                "every pane shows the text as written (Ctrl-R: all rendered again)".into()
            } else {
                "every pane shows the text rendered as Markdown (Ctrl-R: all as written)".into()
            });
        }
        Action::TableRight => table_columns(m, 1),
        Action::TableLeft => table_columns(m, -1),
        Action::NextSection => section(m, true),
        Action::PrevSection => section(m, false),
        Action::LockScroll => {
            m.lock_scroll = !m.lock_scroll;
            m.status = Some(if m.lock_scroll {
                "scrolling locked: the two panes scroll together (S: apart)".into()
            } else {
                "scrolling apart: each pane scrolls on its own (S: together)".into()
            });
        }
        Action::ToggleDiff => {
            m.diff = !m.diff;
            // While it is on, the footer says how much differs.
            m.status = if !m.diff {
                Some("diff off".into())
            } else if m.view.order.len() < 2 {
                Some("diff: this task has one answer; nothing to compare".into())
            } else {
                None
            };
        }
        Action::ToggleMeta => {
            m.show_meta = !m.show_meta;
            m.status = Some(if m.show_meta {
                "metadata shown (m hides it again)".into()
            } else {
                "metadata hidden".into()
            });
        }
        _ => {}
    }
}

/// `}` in review: the next task down the filter's list without this reviewer's decision.
fn review_next_undecided(m: &mut Model) {
    whole_review_list(m);
    let r = m.review.as_ref().map(|r| (r.pos, r.list.clone()));
    if let Some((pos, list)) = r {
        let next = (pos + 1..list.len()).find(|&p| {
            m.key_of(list[p])
                .is_some_and(|k| m.decisions.get(&k).is_none())
        });
        match next {
            Some(p) => review_go(m, p),
            None => m.status = Some("no task further down this list lacks your decision".into()),
        }
    }
}

/// `}`: the next open task, wrapping; a skipped one when none is open.
fn next_undecided(m: &mut Model) {
    let from = (m.current + 1) % m.tasks.len();
    if let Some(i) = m.first_open_from(from) {
        m.go_to(i);
    } else if let Some(i) = m.first_skipped_from(from) {
        m.go_to(i);
        m.status = Some("no undecided tasks left; showing a skipped one".into());
    } else {
        m.status = Some("every task is decided".into());
    }
}

/// Tab, Shift-Tab (wrapping), h, l (stopping at the ends): the focus among candidate panes,
/// from the prompt's last candidate when the prompt has it.
fn focus_pane(m: &mut Model, a: Action) {
    let n = m.view.order.len();
    let cur = match m.view.focus {
        Focus::Pane(p) => p,
        Focus::Prompt => m.view.last_pane,
    };
    let next = match a {
        Action::FocusNext => (cur + 1) % n,
        Action::FocusPrev => (cur + n - 1) % n,
        Action::FocusLeft => cur.saturating_sub(1),
        _ => (cur + 1).min(n - 1),
    };
    set_focus(m, Focus::Pane(next));
}

pub(super) fn set_focus(m: &mut Model, f: Focus) {
    m.view.focus = f;
    if let Focus::Pane(p) = f {
        m.view.last_pane = p;
    }
}

pub(super) fn focused_height(m: &Model) -> usize {
    let a = areas(m);
    match m.view.focus {
        Focus::Prompt => a.prompt.map_or(1, |r| usize::from(inner(r).height)),
        Focus::Pane(p) => a
            .panes
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(1, |(_, r)| usize::from(layout::text_rect(m, *r).height)),
    }
}

/// `)` / `(`: scrolls the focused pane so the next (previous) heading or conversation turn
/// is its top line.
fn section(m: &mut Model, next: bool) {
    let Some(lines) = focused_lines(m) else {
        return;
    };
    let top = match m.view.focus {
        Focus::Prompt => m.view.prompt_scroll,
        Focus::Pane(p) => m.view.scroll[p],
    };
    let starts = (0..lines.len()).filter(|&i| is_section(&lines[i]));
    let to = if next {
        starts.into_iter().find(|&i| i > top)
    } else {
        starts.into_iter().rev().find(|&i| i < top)
    };
    match to {
        Some(i) => scroll(m, i as isize - top as isize),
        None => {
            m.status = Some(
                if next {
                    "no heading or turn further down this pane"
                } else {
                    "no heading or turn further up this pane"
                }
                .into(),
            )
        }
    }
}

/// A line that starts a section: a Markdown heading (its marker, bold, after any list or
/// quote indent) or a conversation turn's role line.
pub fn is_section(line: &ratatui::text::Line<'_>) -> bool {
    use ratatui::style::Modifier;
    let Some(first) = line
        .spans
        .iter()
        .find(|s| !s.content.trim().is_empty() && s.content.trim() != "▌")
    else {
        return false;
    };
    let bold = line
        .style
        .patch(first.style)
        .add_modifier
        .contains(Modifier::BOLD);
    let c = first.content.trim_start();
    bold && ["■ ", "▶ ", "▸ ", "▍"].iter().any(|m| c.starts_with(m))
}

/// `>` / `<`: the focused pane's tables too wide for it show their next / previous columns.
fn table_columns(m: &mut Model, step: isize) {
    let pane = match m.view.focus {
        Focus::Prompt => PaneId::Prompt,
        Focus::Pane(p) => PaneId::Cand(m.view.order[p]),
    };
    let last = focused_lines(m).map_or(0, |w| w.table_cols);
    let now = m.view.table_col.get(&pane).copied().unwrap_or(0);
    if last == 0 {
        m.status = Some("no table in this pane is too wide for it".into());
        return;
    }
    let to = now.saturating_add_signed(step).min(last);
    if to == now {
        m.status = Some(if step > 0 {
            "the table's last columns are shown".into()
        } else {
            "the table's first columns are shown".into()
        });
    }
    m.view.table_col.insert(pane, to);
}

/// The lines the focused pane draws (its diff side while it has one), at its width now.
fn focused_lines(m: &mut Model) -> Option<std::sync::Arc<crate::tui::content::Wrapped>> {
    let a = areas(m);
    match m.view.focus {
        Focus::Prompt => {
            let r = inner(a.prompt?);
            Some(m.wrap.ensure(
                &m.view.item,
                PaneId::Prompt,
                r.width,
                m.show_of(PaneId::Prompt),
            ))
        }
        Focus::Pane(p) => {
            if let Some((side, d)) = m.diff_side(p) {
                return Some(d.sides[side].lines.clone());
            }
            let r = layout::text_rect(m, a.panes.iter().find(|(q, _)| *q == p)?.1);
            let pane = PaneId::Cand(m.view.order[p]);
            Some(m.wrap.ensure(&m.view.item, pane, r.width, m.show_of(pane)))
        }
    }
}

pub(super) fn scroll(m: &mut Model, delta: isize) {
    if let Focus::Pane(p) = m.view.focus {
        m.view.scrolled = Some((p, m.view.scroll[p]));
    }
    let slot = match m.view.focus {
        Focus::Prompt => &mut m.view.prompt_scroll,
        Focus::Pane(p) => &mut m.view.scroll[p],
    };
    *slot = slot.saturating_add_signed(delta);
    // Clamped to the content in `prepare`.
}

/// Starts (or restarts) review with a filter: builds the list and shows its first task.
pub fn start_review(m: &mut Model, filter: Filter) {
    let mut r = Review {
        filter,
        list: Vec::new(),
        pos: 0,
        scanned: 0,
    };
    if r.filter.sorts() {
        // Ordered by a score over every task: a big file's checking is waited for first.
        while m.take_more_tasks() {}
        r.list = build_list(m, &r.filter);
        r.scanned = m.tasks.len();
    } else {
        // The first task the filter keeps is enough to start on; the rest of the tasks join
        // the list beside the screen, and a big file's as its checking brings them (see
        // `grow_review_list`).
        loop {
            extend_list(m, &mut r, SCAN_STEP);
            if !r.list.is_empty() {
                break;
            }
            if r.scanned < m.tasks.len() {
                continue;
            }
            if !m.take_more_tasks() {
                break;
            }
        }
    }
    let empty = r.list.is_empty();
    let name = r.filter.name();
    m.review = Some(r);
    if empty {
        m.status = Some(format!(
            "no task matches the filter \"{name}\" (f: next filter)"
        ));
    } else {
        // The header names the filter; the footer keeps the verdict summary.
        review_go(m, 0);
    }
}

/// Looks at a few more of the tasks review's list has not looked at yet (see
/// [`Model::background_work`]).
pub(super) fn grow_review_list(m: &mut Model) {
    grow_review_list_by(m, SCAN_STEP);
}

fn grow_review_list_by(m: &mut Model, most: usize) {
    if let Some(mut r) = m.review.take() {
        if r.behind(m.tasks.len()) {
            extend_list(m, &mut r, most);
        }
        m.review = Some(r);
    }
}

/// Makes review's list whole, waiting for the rest of a big file's checking: for what needs
/// the end of the list (stepping past what is known, a number beyond it, a search).
pub(super) fn whole_review_list(m: &mut Model) {
    if m.review.as_ref().is_some_and(|r| list_partial(m, r)) {
        while m.take_more_tasks() {}
        grow_review_list_by(m, usize::MAX);
    }
}

pub(super) fn review_go(m: &mut Model, pos: usize) {
    let Some(task) = m.review.as_ref().and_then(|r| r.list.get(pos).copied()) else {
        return;
    };
    if let Some(r) = m.review.as_mut() {
        r.pos = pos;
    }
    m.go_to(task);
}

pub(super) fn review_step(m: &mut Model, delta: isize) {
    if m.review
        .as_ref()
        .is_some_and(|r| delta > 0 && r.pos as isize + delta >= r.list.len() as isize)
    {
        whole_review_list(m);
    }
    let Some((pos, len)) = m.review.as_ref().map(|r| (r.pos, r.list.len())) else {
        return;
    };
    let next = pos as isize + delta;
    if next < 0 || next as usize >= len {
        m.status = Some(if delta > 0 {
            "this is the last task of this filter".into()
        } else {
            "this is the first task of this filter".into()
        });
        return;
    }
    review_go(m, next as usize);
}

/// Shows task `i`, keeping the review position in step when the task is in the list.
pub(super) fn show_task(m: &mut Model, i: usize) {
    let in_list = m
        .review
        .as_ref()
        .and_then(|r| r.list.iter().position(|&t| t == i));
    match (&m.review, in_list) {
        (Some(_), Some(p)) => review_go(m, p),
        (Some(_), None) => {
            m.go_to(i);
            m.status = Some("(this task is not in the current filter)".into());
        }
        (None, _) => m.go_to(i),
    }
}

pub(super) fn input(m: &mut Model, k: InputKey) {
    let Some(inp) = m.input.as_mut() else {
        return;
    };
    match k {
        InputKey::Char(c) if !c.is_control() => inp.text.push(c),
        InputKey::Char(_) => {}
        InputKey::Backspace => {
            if inp.text.pop().is_none() {
                m.input = None;
            }
        }
        InputKey::Esc => m.input = None,
        InputKey::Enter => {
            let inp = m.input.take().unwrap_or(Input {
                kind: InputKind::Jump,
                text: String::new(),
            });
            let text = inp.text.trim().to_string();
            match inp.kind {
                InputKind::Jump => jump(m, &text),
                InputKind::Search if text.is_empty() => {
                    if let Some(q) = m.last_search.clone() {
                        search(m, &q, true);
                    }
                }
                InputKind::Search => {
                    m.last_search = Some(text.clone());
                    search(m, &text, false);
                }
            }
        }
    }
}

/// `:` by number (task k, or k-th of the review list) or by item id.
pub(super) fn jump(m: &mut Model, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Ok(n) = text.parse::<usize>() {
        if m.review.as_ref().is_some_and(|r| n > r.list.len()) {
            whole_review_list(m);
        }
        match &m.review {
            Some(r) if n >= 1 && n <= r.list.len() => review_go(m, n - 1),
            Some(r) => m.status = Some(format!("this filter has {} tasks", r.list.len())),
            None if n >= 1 && n <= m.tasks.len() => m.go_to(n - 1),
            None => m.status = Some(format!("there are {} tasks", m.tasks.len())),
        }
        return;
    }
    let exact = (0..m.tasks.scanned()).find(|&p| m.source.id(p).as_deref() == Some(text));
    if let Some(t) = exact.and_then(|p| m.tasks.first_of(p)) {
        show_task(m, t);
        return;
    }
    // The start of an id, when only one item's id starts so.
    let starts: Vec<(usize, String)> = (0..m.tasks.scanned())
        .filter_map(|p| {
            m.source
                .id(p)
                .filter(|id| id.starts_with(text))
                .map(|id| (p, id))
        })
        .filter(|&(p, _)| m.tasks.first_of(p).is_some())
        .take(4)
        .collect();
    let shown = crate::text::truncate(text, 40);
    match starts.as_slice() {
        [] => m.status = Some(format!("no item id is or starts with \"{shown}\"")),
        [(p, _)] => {
            if let Some(t) = m.tasks.first_of(*p) {
                show_task(m, t);
            }
        }
        more => {
            let ids: Vec<String> = more
                .iter()
                .take(3)
                .map(|(_, id)| crate::tui::content::one_line(id))
                .collect();
            m.status = Some(format!(
                "several item ids start with \"{shown}\" ({}{}): type more of one",
                ids.join(", "),
                if more.len() > 3 { ", ..." } else { "" }
            ));
        }
    }
}

/// `/`: the next task (after the current one, wrapping; in review within the list) whose item
/// holds the text, case-insensitively.
pub(super) fn search(m: &mut Model, needle: &str, next: bool) {
    m.show_matches = true;
    let lower = needle.to_lowercase();
    // Said and matched on screen as the screen draws it.
    let screen = crate::tui::highlight::on_screen(needle);
    let shown = crate::text::truncate(&screen, 30);
    // Within the task on screen: the next match after the one shown (`n`), or the first.
    let after = match m.search_at {
        Some((task, hit)) if next && task == m.current => Some(hit + 1),
        _ if !next => Some(0),
        _ => None,
    };
    if let Some(from) = after {
        let hits = hits_here(m, &screen);
        if let Some(&(focus, line, folded)) = hits.get(from) {
            show_hit(m, focus, line);
            m.search_at = Some((m.current, from));
            m.status = Some(format!(
                "\"{shown}\": match {} of {} here (n: next){}",
                from + 1,
                hits.len(),
                folded_note(folded)
            ));
            return;
        }
    }
    whole_review_list(m);
    let order: Vec<usize> = match &m.review {
        Some(r) => {
            let n = r.list.len();
            (1..=n).map(|k| r.list[(r.pos + k) % n.max(1)]).collect()
        }
        None => {
            let n = m.tasks.len();
            (1..=n).map(|k| (m.current + k) % n).collect()
        }
    };
    let mut last_item = m.tasks.locate(m.current).0;
    for t in order {
        let (pos, _) = m.tasks.locate(t);
        if pos == last_item {
            continue;
        }
        last_item = pos;
        if let Ok(item) = m.source.item(pos)
            && matches(&item, &lower)
        {
            show_task(m, t);
            prepare(m);
            let hits = hits_here(m, &screen);
            match hits.first() {
                Some(&(focus, line, folded)) => {
                    show_hit(m, focus, line);
                    m.search_at = Some((m.current, 0));
                    m.status = Some(format!(
                        "\"{shown}\": match 1 of {} here (n: next){}",
                        hits.len(),
                        folded_note(folded)
                    ));
                }
                None => {
                    m.search_at = Some((m.current, usize::MAX - 1));
                    m.status = Some(format!(
                        "\"{shown}\" is in this item (across a line break, or in its id)"
                    ));
                }
            }
            return;
        }
    }
    // No other task has it: back to the first match here, or say plainly there is none.
    let hits = hits_here(m, &screen);
    match hits.first() {
        Some(&(focus, line, folded)) => {
            show_hit(m, focus, line);
            m.search_at = Some((m.current, 0));
            m.status = Some(format!(
                "\"{shown}\": match 1 of {} here; no other task has it{}",
                hits.len(),
                folded_note(folded)
            ));
        }
        None => m.status = Some(format!("no match for \"{shown}\"")),
    }
}

/// Where the text (as [`crate::tui::highlight::on_screen`] gives it) shows on the current
/// task: (pane, wrapped line) for the prompt and each candidate in display order, at the
/// widths they are drawn.
pub(super) fn hits_here(m: &mut Model, screen: &str) -> Vec<(Focus, usize, bool)> {
    let middle = layout::middle(m.size);
    let cand_w = layout::columns(m, middle)
        .1
        .first()
        .map_or(1, |&(_, r)| layout::text_rect(m, r).width);
    let mut panes = vec![(
        Focus::Prompt,
        PaneId::Prompt,
        layout::prompt_text_width(m.size.0),
    )];
    for (p, &ci) in m.view.order.iter().enumerate() {
        panes.push((Focus::Pane(p), PaneId::Cand(ci), cand_w));
    }
    let mut hits = Vec::new();
    for (focus, pane, width) in panes {
        let show = m.show_of(pane);
        let lines = m.wrap.ensure(&m.view.item, pane, width, show);
        // A pane showing its side of the diff draws other lines: equal stretches folded. A
        // match is found in the text as wrapped and placed on the drawn line that holds it
        // (a fold, when it is in a folded stretch).
        let diff = match focus {
            Focus::Pane(p) => m.diff_side(p).map(|(side, d)| {
                let starts = crate::tui::pair_diff::flatten(&lines.lines).1;
                (d.sides[side].clone(), starts)
            }),
            Focus::Prompt => None,
        };
        for (i, l) in lines.iter().enumerate() {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            if crate::tui::highlight::find_all(&text, screen).is_empty() {
                continue;
            }
            let hit = match &diff {
                Some((side, starts)) => {
                    let at = starts.get(i).copied().unwrap_or(0);
                    let drawn = side.line_at(at);
                    (focus, drawn, side.offsets.get(drawn) != Some(&at))
                }
                None => (focus, i, false),
            };
            if hits.last() != Some(&hit) {
                hits.push(hit);
            }
        }
    }
    hits
}

/// Said after a match inside an equal stretch the diff folds.
fn folded_note(folded: bool) -> &'static str {
    if folded {
        " · in the folded equal words (d: diff off shows them)"
    } else {
        ""
    }
}

/// Focuses the pane of a match and scrolls its line into view (one line of context above).
pub(super) fn show_hit(m: &mut Model, focus: Focus, line: usize) {
    if focus == Focus::Prompt && m.prompt_collapsed {
        m.prompt_collapsed = false;
    }
    set_focus(m, focus);
    let to = line.saturating_sub(1);
    match focus {
        Focus::Prompt => m.view.prompt_scroll = to,
        Focus::Pane(p) => m.view.scroll[p] = to,
    }
}

/// New tasks arrived from a file read in the background. Before the labeler's first key the
/// screen follows the resume point (the first open task may lie beyond what was read at
/// start); after "nothing left", new work is served.
pub(super) fn more_tasks(m: &mut Model) {
    grow_review_list(m);
    let open_here = m
        .key_of(m.current)
        .is_some_and(|k| m.decisions.get(&k).is_none() && m.team.wants(&k));
    if (m.awaiting || !m.touched) && !open_here && m.review.is_none() {
        if let Some(i) = m.first_open_from(m.current) {
            m.go_to(i);
            if m.awaiting {
                m.awaiting = false;
                m.status = None;
            }
        } else if m.awaiting && m.checking_done() {
            m.awaiting = false;
            m.show_done();
        }
    } else if m.overlay == Overlay::Done
        && let Some(i) = m.first_open_from(m.current)
    {
        m.close_done();
        m.go_to(i);
        m.status = Some("more tasks were read from the file".into());
    }
}
