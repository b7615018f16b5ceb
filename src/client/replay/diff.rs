//! A unified diff of two transcripts, one normalised message per line, with
//! the JSON paths that differ under each changed message.

use std::fmt::Write as _;

use serde_json::Value;

/// How many characters of a message a diff line shows.
const SHOWN: usize = 360;
/// How many differing JSON paths are listed under a changed message.
const PATHS: usize = 8;

/// One line of an edit script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Gone(usize),
    New(usize),
}

/// The longest-common-subsequence edit script from `a` to `b`.
fn script(a: &[String], b: &[String]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if a[i] == b[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same(i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
            // Removals before additions, as unified diffs show them.
            ops.push(Op::Gone(i));
            i += 1;
        } else {
            ops.push(Op::New(j));
            j += 1;
        }
    }
    ops
}

/// A unified diff from `expected` to `actual`: at most `max_hunks` hunks
/// with `context` lines around each change. None when they are equal.
pub fn unified(
    expected: &[String],
    actual: &[String],
    context: usize,
    max_hunks: usize,
) -> Option<String> {
    let ops = script(expected, actual);
    let changed: Vec<usize> = (0..ops.len())
        .filter(|&k| !matches!(ops[k], Op::Same(..)))
        .collect();
    if changed.is_empty() {
        return None;
    }
    // Hunks: runs of changes less than 2 * context apart, with context.
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for &k in &changed {
        let start = k.saturating_sub(context);
        let end = (k + context + 1).min(ops.len());
        match hunks.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => hunks.push((start, end)),
        }
    }
    let (gone, new) = changed.iter().fold((0, 0), |(g, n), &k| match ops[k] {
        Op::Gone(_) => (g + 1, n),
        _ => (g, n + 1),
    });
    let mut out = format!(
        "{gone} recorded message(s) missing (-), {new} unexpected (+), in {} place(s):\n",
        hunks.len()
    );
    for &(start, end) in hunks.iter().take(max_hunks) {
        let (line_a, line_b) = first_lines(&ops[start..]);
        let _ = writeln!(out, "@@ recorded line {line_a}, replayed line {line_b} @@");
        for k in start..end {
            match ops[k] {
                Op::Same(i, _) => {
                    let _ = writeln!(out, "  {}", shown(&expected[i]));
                }
                Op::Gone(i) => {
                    let _ = writeln!(out, "- {}", shown(&expected[i]));
                }
                Op::New(j) => {
                    let _ = writeln!(out, "+ {}", shown(&actual[j]));
                    // Under a replacement, say exactly what changed.
                    if let Some(i) = replaced(&ops[start..k]) {
                        for line in paths(&expected[i], &actual[j]) {
                            let _ = writeln!(out, "      {line}");
                        }
                    }
                }
            }
        }
    }
    if hunks.len() > max_hunks {
        let _ = writeln!(out, "... and {} more place(s)", hunks.len() - max_hunks);
    }
    Some(out)
}

/// The 1-based line numbers where a hunk starts on each side.
fn first_lines(ops: &[Op]) -> (usize, usize) {
    let (mut a, mut b) = (None, None);
    for op in ops {
        match *op {
            Op::Same(i, j) => return (a.unwrap_or(i) + 1, b.unwrap_or(j) + 1),
            Op::Gone(i) => a = a.or(Some(i)),
            Op::New(j) => b = b.or(Some(j)),
        }
        if let (Some(i), Some(j)) = (a, b) {
            return (i + 1, j + 1);
        }
    }
    (a.map_or(0, |i| i + 1), b.map_or(0, |j| j + 1))
}

/// The removed line that an added line directly replaces: the most recent
/// `Gone` right before it, counting back over the `New`s in between.
fn replaced(before: &[Op]) -> Option<usize> {
    let news = before
        .iter()
        .rev()
        .take_while(|op| matches!(op, Op::New(_)))
        .count();
    let gones: Vec<usize> = before[..before.len() - news]
        .iter()
        .rev()
        .map_while(|op| match op {
            Op::Gone(i) => Some(*i),
            _ => None,
        })
        .collect();
    // `gones` is newest first; the first New replaces the oldest Gone.
    gones.len().checked_sub(news + 1).map(|k| gones[k])
}

fn shown(line: &str) -> String {
    match line.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}

/// `at PATH: OLD → NEW` for each JSON path where two message lines differ.
fn paths(expected: &str, actual: &str) -> Vec<String> {
    // A line is `DIR JSON` (or `CONN:DIR JSON`).
    let json = |line: &str| -> Option<Value> {
        let text = line.split_once(' ').map(|(_, rest)| rest)?;
        serde_json::from_str(text).ok()
    };
    let (Some(a), Some(b)) = (json(expected), json(actual)) else {
        return vec![];
    };
    let mut found = Vec::new();
    differences(&a, &b, String::new(), &mut found);
    let more = found.len().saturating_sub(PATHS);
    found.truncate(PATHS);
    if more > 0 {
        found.push(format!("... and {more} more difference(s)"));
    }
    found
}

fn differences(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    let show = |v: Option<&Value>| v.map_or("(absent)".to_owned(), |v| shown(&v.to_string()));
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => differences(u, v, p, out),
                    (u, v) => out.push(format!("at {p}: {} → {}", show(u), show(v))),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for k in 0..x.len().max(y.len()) {
                let p = format!("{path}[{k}]");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => differences(u, v, p, out),
                    (u, v) => out.push(format!("at {p}: {} → {}", show(u), show(v))),
                }
            }
        }
        _ if a != b => {
            let p = if path.is_empty() { "$".into() } else { path };
            out.push(format!("at {p}: {} → {}", show(Some(a)), show(Some(b))));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn equal_transcripts_have_no_diff() {
        let a = lines(&["send {}", "recv {}"]);
        assert_eq!(unified(&a, &a, 3, 5), None);
    }

    #[test]
    fn a_changed_message_shows_with_context_and_its_paths() {
        let a = lines(&[
            "send {\"command\":\"a\"}",
            "recv {\"body\":{\"line\":48,\"name\":\"x\"}}",
            "send {\"command\":\"b\"}",
        ]);
        let mut b = a.clone();
        b[1] = "recv {\"body\":{\"line\":49,\"name\":\"x\"}}".into();
        let diff = unified(&a, &b, 1, 5).expect("a diff");
        assert!(
            diff.contains("1 recorded message(s) missing (-), 1 unexpected (+)"),
            "{diff}"
        );
        assert!(
            diff.contains("@@ recorded line 1, replayed line 1 @@"),
            "{diff}"
        );
        assert!(diff.contains("- recv {\"body\":{\"line\":48"), "{diff}");
        assert!(diff.contains("+ recv {\"body\":{\"line\":49"), "{diff}");
        assert!(diff.contains("at body.line: 48 → 49"), "{diff}");
        assert!(diff.contains("  send {\"command\":\"b\"}"), "{diff}");
    }

    #[test]
    fn far_apart_changes_make_separate_hunks_and_the_rest_is_counted() {
        let a: Vec<String> = (0..40).map(|i| format!("recv {{\"n\":{i}}}")).collect();
        let mut b = a.clone();
        b[2] = "recv {\"n\":-2}".into();
        b[30] = "recv {\"n\":-30}".into();
        b.push("recv {\"extra\":true}".into());
        let diff = unified(&a, &b, 2, 2).expect("a diff");
        assert!(diff.contains("in 3 place(s)"), "{diff}");
        assert!(diff.contains("... and 1 more place(s)"), "{diff}");
        assert!(!diff.contains("extra"), "{diff}");
    }
}
