//! Reading the records of a dataset file, each with the line it starts on: JSON Lines are
//! streamed line by line (public datasets run to hundreds of megabytes), a `.json` array is read
//! whole, as LLaMA-Factory and many Hugging Face exports ship them.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value;
use serde_json::value::RawValue;

use super::{Fault, ImportError};

/// One record as read: its 1-based starting line, and the JSON value or why it is not one.
pub type Record = (usize, Result<Value, Fault>);

/// Opens `path` and yields its records in file order.
pub fn records(path: &Path) -> Result<Box<dyn Iterator<Item = Record>>, ImportError> {
    let read_err = |source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    if !meta.is_file() {
        // A directory fails on read, and a FIFO would block: say so instead.
        return Err(ImportError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let mut reader = BufReader::new(File::open(path).map_err(read_err)?);
    let head = reader.fill_buf().map_err(read_err)?;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'[') {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(read_err)?;
        Ok(Box::new(array_records(&bytes).into_iter()))
    } else {
        Ok(Box::new(Lines {
            reader: Some(reader),
            line: 0,
            buf: Vec::new(),
        }))
    }
}

struct Lines {
    /// None once a read error has been reported: a failing disk does not heal by retrying.
    reader: Option<BufReader<File>>,
    line: usize,
    buf: Vec<u8>,
}

impl Iterator for Lines {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            self.buf.clear();
            let reader = self.reader.as_mut()?;
            let n = match reader.read_until(b'\n', &mut self.buf) {
                Ok(n) => n,
                Err(e) => {
                    self.line += 1;
                    self.reader = None;
                    let fault = Fault::record(
                        format!("read error: {e}"),
                        "check the file and the disk it is on",
                    );
                    return Some((self.line, Err(fault)));
                }
            };
            if n == 0 {
                return None;
            }
            self.line += 1;
            let mut raw: &[u8] = &self.buf;
            if self.line == 1 {
                raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
            }
            let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some((self.line, parse_line(raw)));
        }
    }
}

fn parse_line(raw: &[u8]) -> Result<Value, Fault> {
    let text = std::str::from_utf8(raw).map_err(|e| {
        Fault::record(
            format!("invalid UTF-8 at byte {} of the line", e.valid_up_to() + 1),
            "save the file as UTF-8 (e.g. iconv -t UTF-8)",
        )
    })?;
    serde_json::from_str(text).map_err(|e| json_fault(&e, true))
}

fn array_records(bytes: &[u8]) -> Vec<Record> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            return vec![(
                line,
                Err(Fault::record(
                    "invalid UTF-8",
                    "save the file as UTF-8 (e.g. iconv -t UTF-8)",
                )),
            )];
        }
    };
    let raws: Vec<&RawValue> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => return vec![(e.line().max(1), Err(json_fault(&e, false)))],
    };
    let base = text.as_ptr() as usize;
    raws.into_iter()
        .map(|raw| {
            let offset = raw.get().as_ptr() as usize - base;
            let line = 1 + text.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            (
                line,
                serde_json::from_str(raw.get()).map_err(|e| json_fault(&e, false)),
            )
        })
        .collect()
}

fn json_fault(e: &serde_json::Error, per_line: bool) -> Fault {
    let s = e.to_string();
    // serde_json appends " at line L column C"; the caller prints the line itself.
    let msg = s.rfind(" at line ").map_or(s.as_str(), |i| &s[..i]);
    Fault::record(
        format!("malformed JSON at column {}: {msg}", e.column()),
        if per_line {
            "each line must be one complete JSON object (JSON Lines)"
        } else {
            "the file must be a JSON array of record objects"
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_lines_are_counted() {
        let r = array_records(b"[\n {\"a\": 1},\n\n {\"b\": 2}\n]");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].0, 2);
        assert_eq!(r[1].0, 4);
    }

    #[test]
    fn broken_array_names_its_line() {
        let r = array_records(b"[\n {\"a\": 1},\n {\"b\" 2}\n]");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, 3);
        assert!(r[0].1.as_ref().unwrap_err().what.contains("malformed JSON"));
    }
}
