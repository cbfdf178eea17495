//! JSON strings written by hand where serde's `fmt::Write` path is the bottleneck (export rows,
//! the canonical JSON behind an item's hash): escaped byte for byte as `serde_json` does.

/// Appends `s` as the inside of a JSON string, escaped exactly as `serde_json` escapes it:
/// `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control characters as `\u00xx`; all else
/// (DEL and non-ASCII included) as it is. Eight bytes at a time are checked for anything to
/// escape, and runs without any are copied whole.
pub fn escape_into(out: &mut Vec<u8>, s: &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Some byte of `w` is below 0x20, a quote or a backslash (exact: no byte is missed, and
    // a false alarm only sends the word to the byte-by-byte check).
    fn special(w: u64) -> bool {
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
        (w.wrapping_sub(ONES * 0x20) & !w & HIGH)
            | zero(w ^ (ONES * b'"' as u64))
            | zero(w ^ (ONES * b'\\' as u64))
            != 0
    }
    let b = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        if i + 8 <= b.len() {
            let w = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
            if !special(w) {
                i += 8;
                continue;
            }
        }
        let c = b[i];
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..0x20 => b"",
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&b[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 0xf) as usize],
            ]);
        } else {
            out.extend_from_slice(esc);
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&b[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_into_matches_serde_json_on_random_strings() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pool: Vec<char> = (0u8..0x20)
            .map(char::from)
            .chain("\"\\/ aZ~\u{7f}\u{80}é€😀\u{2028}\u{fffd}".chars())
            .collect();
        for round in 0..20_000 {
            let len = (next() % 40) as usize;
            let s: String = (0..len)
                .map(|_| {
                    // Long plain runs too, so the eight-byte steps meet specials at every offset.
                    if round % 2 == 0 && next() % 4 != 0 {
                        'x'
                    } else {
                        pool[(next() % pool.len() as u64) as usize]
                    }
                })
                .collect();
            let mut out = b"\"".to_vec();
            escape_into(&mut out, &s);
            out.push(b'"');
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&s).unwrap(),
                "{s:?}"
            );
        }
    }
}
