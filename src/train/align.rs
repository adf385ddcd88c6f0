//! Aligning gold lines from another extractor with chaff's own lines of the same page, by word
//! tokens: how `chaff eval --format html` scores pages whose `.tsv` lines were split
//! differently, or cover only a window of the page.
//!
//! - tokens are runs of letters, digits and `_`, lower-cased; the gold window's tokens are
//!   aligned to the tokens of chaff's lines by the longest-matching-block method of Python's
//!   `difflib.SequenceMatcher` (no junk heuristic), so the figures agree with a scorer written
//!   that way;
//! - a gold line gets the class most of its aligned tokens carry (ties: the class met first);
//!   a gold line none of whose tokens was aligned counts as [`DROPPED`] (predicted: not kept);
//!   gold lines without tokens are not counted;
//! - a chaff line labeled body whose tokens are mostly not aligned to the gold window is an
//!   extra body line, counted as gold chrome predicted body (the windows hold the whole
//!   article, so what lies outside them is not body).

use std::collections::HashMap;

use crate::class::Class;

/// The predicted side of a pair: a class, or the gold line's text missing from chaff's lines.
pub const DROPPED: usize = Class::COUNT;

/// Word tokens: runs of alphanumeric characters and `_`, lower-cased (Python's `\w+`).
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()`, as
/// `(i, j, size)` triples in order (without the final dummy).
pub fn matching_blocks(a: &[String], b: &[String]) -> Vec<(usize, usize, usize)> {
    let mut b2j: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, t) in b.iter().enumerate() {
        b2j.entry(t.as_str()).or_default().push(j);
    }
    let longest = |alo: usize, ahi: usize, blo: usize, bhi: usize| {
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0);
        let mut j2len: HashMap<usize, usize> = HashMap::new();
        for (i, t) in a.iter().enumerate().take(ahi).skip(alo) {
            let mut new: HashMap<usize, usize> = HashMap::new();
            for &j in b2j.get(t.as_str()).map_or(&[][..], Vec::as_slice) {
                if j < blo {
                    continue;
                }
                if j >= bhi {
                    break;
                }
                let k = j.checked_sub(1).and_then(|p| j2len.get(&p)).unwrap_or(&0) + 1;
                new.insert(j, k);
                if k > bestsize {
                    (besti, bestj, bestsize) = (i + 1 - k, j + 1 - k, k);
                }
            }
            j2len = new;
        }
        (besti, bestj, bestsize)
    };
    let mut queue = vec![(0, a.len(), 0, b.len())];
    let mut blocks = Vec::new();
    while let Some((alo, ahi, blo, bhi)) = queue.pop() {
        let (i, j, k) = longest(alo, ahi, blo, bhi);
        if k > 0 {
            blocks.push((i, j, k));
            if alo < i && blo < j {
                queue.push((alo, i, blo, j));
            }
            if i + k < ahi && j + k < bhi {
                queue.push((i + k, ahi, j + k, bhi));
            }
        }
    }
    blocks.sort_unstable();
    blocks
}

/// The (gold, predicted) pairs of one page, and how many extra body lines it had.
pub fn score_page(
    gold: &[(Class, String)],
    pred: &[(Class, &str)],
) -> (Vec<(usize, usize)>, usize) {
    let (mut gt, mut gl) = (Vec::new(), Vec::new());
    for (i, (_, text)) in gold.iter().enumerate() {
        for t in tokens(text) {
            gt.push(t);
            gl.push(i);
        }
    }
    let (mut pt, mut pl) = (Vec::new(), Vec::new());
    let mut ptoks = vec![0usize; pred.len()];
    for (j, (_, text)) in pred.iter().enumerate() {
        for t in tokens(text) {
            pt.push(t);
            pl.push(j);
            ptoks[j] += 1;
        }
    }
    // Votes in the order met, so ties go to the class met first (as Counter.most_common).
    let mut votes: Vec<Vec<(usize, usize)>> = vec![Vec::new(); gold.len()];
    let mut matched = vec![0usize; pred.len()];
    for (a, b, size) in matching_blocks(&gt, &pt) {
        for k in 0..size {
            let (i, j) = (gl[a + k], pl[b + k]);
            let class = pred[j].0.index();
            match votes[i].iter_mut().find(|(c, _)| *c == class) {
                Some((_, n)) => *n += 1,
                None => votes[i].push((class, 1)),
            }
            matched[j] += 1;
        }
    }
    let mut pairs = Vec::new();
    for (i, (class, text)) in gold.iter().enumerate() {
        if tokens(text).is_empty() {
            continue;
        }
        let mut best: Option<(usize, usize)> = None;
        for &(c, n) in &votes[i] {
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((c, n));
            }
        }
        pairs.push((class.index(), best.map_or(DROPPED, |(c, _)| c)));
    }
    let extra = pred
        .iter()
        .enumerate()
        .filter(|(j, (c, _))| *c == Class::Body && ptoks[*j] > 0 && matched[*j] * 2 < ptoks[*j])
        .count();
    for _ in 0..extra {
        pairs.push((Class::Chrome.index(), Class::Body.index()));
    }
    (pairs, extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        tokens(s)
    }

    #[test]
    fn blocks_match_difflib() {
        // difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
        let a = toks("a b c d e f");
        let b = toks("x a b y d e f");
        assert_eq!(matching_blocks(&a, &b), [(0, 1, 2), (3, 4, 3)]);
        let a = toks("the cat the dog");
        let b = toks("dog the cat");
        assert_eq!(matching_blocks(&a, &b), [(0, 1, 2)]);
    }

    #[test]
    fn gold_lines_split_differently_still_align() {
        let gold = vec![
            (Class::Body, "Seoul expands bus routes".to_string()),
            (Class::Chrome, "Share".to_string()),
        ];
        let pred = vec![
            (Class::Chrome, "Menu"),
            (Class::Body, "Seoul expands"),
            (Class::Body, "bus routes"),
            (Class::Chrome, "Share"),
            (Class::Body, "An unrelated teaser line"),
        ];
        let (pairs, extra) = score_page(&gold, &pred);
        assert_eq!(extra, 1);
        let body = Class::Body.index();
        let chrome = Class::Chrome.index();
        assert_eq!(pairs, [(body, body), (chrome, chrome), (chrome, body)]);
        let (pairs, _) = score_page(&gold, &[(Class::Chrome, "Share")]);
        assert_eq!(pairs[0], (body, DROPPED));
    }
}
