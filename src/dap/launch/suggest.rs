//! "Did you mean ...?" for misspelt attribute names and keywords.

/// The candidate closest to `word`, if it is close enough to be a likely typo
/// or a shortening (`EXECUTE_ANON`). Case differences alone always count as
/// close.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    if lower.len() >= 4 {
        let shortened = candidates
            .iter()
            .filter(|c| c.to_ascii_lowercase().starts_with(&lower))
            .min_by_key(|c| c.len());
        if let Some(candidate) = shortened {
            return Some(candidate);
        }
    }
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let distance = edit_distance(&lower, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    // One edit in three characters is a typo; more is a different word.
    let allowed = (word.chars().count() / 3).max(1);
    best.filter(|&(d, _)| d <= allowed).map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["stopOnEntry", "sandbox", "salesforceProject"];
        assert_eq!(did_you_mean("stopOnEntri", &names), Some("stopOnEntry"));
        assert_eq!(did_you_mean("SANDBOX", &names), Some("sandbox"));
        assert_eq!(did_you_mean("program", &names), None);
        assert_eq!(did_you_mean("stopOn", &names), Some("stopOnEntry"));
        assert_eq!(did_you_mean("sa", &names), None);
    }
}
