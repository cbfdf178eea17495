//! The full reader: a log's lines into [`Event`]s with serde (or the scanner, for the writer's
//! own lines), checked, in log order; big logs in pieces on all cores.

use std::path::Path;

use super::scan::quick_event;
use crate::labels::error::{LogError, damaged};
use crate::labels::event::Event;

/// Parses complete log bytes into events; the first bad line is an error naming it.
///
/// Big logs are parsed in pieces on all cores (a million events is ~200 MB of JSON); the
/// events come back in log order and the error, if any, is the one on the earliest line.
pub fn parse_events(path: &Path, bytes: &[u8]) -> Result<Vec<Event>, LogError> {
    const PIECE: usize = 4 << 20;
    if bytes.len() < 2 * PIECE || crate::par::cores() == 1 {
        return parse_piece(bytes, 1).map_err(|(line, what)| damaged(path, line, what));
    }
    // Pieces end at line ends, so no line is split.
    let target = bytes.len().div_ceil(crate::par::cores() * 4).max(PIECE);
    let pieces: Vec<&[u8]> = crate::par::line_pieces(bytes, target)
        .into_iter()
        .map(|r| &bytes[r])
        .collect();
    let results = crate::par::map_all(&pieces, |piece| parse_piece(piece, 1));
    let mut events = Vec::new();
    let mut lines_before = 0;
    for (piece, r) in pieces.iter().zip(results) {
        match r {
            Ok(mut ev) => {
                if events.is_empty() {
                    events = std::mem::take(&mut ev);
                    events.reserve(bytes.len() / piece.len().max(1) * events.len());
                } else {
                    events.append(&mut ev);
                }
            }
            Err((line, what)) => return Err(damaged(path, lines_before + line, what)),
        }
        lines_before += memchr::memchr_iter(b'\n', piece).count();
    }
    Ok(events)
}

/// A piece's events, or its first damaged line (counted within the piece) and what is wrong.
type PieceResult = Result<Vec<Event>, (usize, String)>;

/// Parses the lines of one piece; an error gives the line (counted from `first_line`).
fn parse_piece(bytes: &[u8], first_line: usize) -> PieceResult {
    let mut events = Vec::with_capacity(bytes.len() / 200);
    for (n, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = first_line + n;
        let text = std::str::from_utf8(raw).map_err(|_| (line, "invalid UTF-8".to_string()))?;
        // The writer's own lines are read without serde (the same event; see replay/scan.rs).
        let event: Event = match quick_event(text) {
            Some(e) => e,
            None => serde_json::from_str(text).map_err(|e| (line, e.to_string()))?,
        };
        event.check().map_err(|e| (line, e))?;
        events.push(event);
    }
    Ok(events)
}
