//! The stacked model, in one place for labeling and training alike: stage one scores a line
//! from all its features (with the mean of line scorers), stage two reads a line's own line and
//! page features plus context features made of stage one's probabilities around it. Training
//! fits each stage on exactly the inputs these functions give at labeling time.

use crate::class::Class;
#[cfg(feature = "train")]
use crate::features::STRUCTURE_DENSE;
use crate::features::{PageFeatures, GROUP_CONTEXT_DIM, SECOND_STAGE_DENSE};

use super::linear::{log_softmax, softmax};
use super::packed::PackedScorer;

const K: usize = Class::COUNT;

/// Number of features stage two reads per line: line and page features, then context features.
pub(crate) const STAGE_TWO_DIM: usize = SECOND_STAGE_DENSE + CONTEXT_DIM;

/// Stage one: the class probabilities of every line of a page. Training passes the scorer of
/// one half of the corpus; labeling, a model's scorers merged ([`PackedScorer::mean`]).
pub(crate) fn stage_one_packed(scorer: &PackedScorer, page: &PageFeatures) -> Vec<[f32; K]> {
    (0..page.len())
        .map(|i| softmax(scorer.line_scores(page, i)))
        .collect()
}

/// Number of values a line's stage-two row holds: [`STAGE_TWO_DIM`], then with `structure`
/// the dense structure features and the group context.
#[cfg(feature = "train")]
pub(crate) fn stage_two_dim(structure: bool) -> usize {
    if structure {
        STAGE_TWO_DIM + STRUCTURE_DENSE + GROUP_CONTEXT_DIM
    } else {
        STAGE_TWO_DIM
    }
}

/// Stage two's inputs for every line, [`stage_two_dim`] values a line, lines in order; with
/// `structure`, the page must have structure features. Labeling reads the same values without
/// assembling them (see [`stage_two`]).
#[cfg(feature = "train")]
pub(crate) fn stage_two_inputs(
    page: &PageFeatures,
    stage_one: &[[f32; K]],
    structure: bool,
) -> Vec<f32> {
    let mut rows = Vec::with_capacity(page.len() * stage_two_dim(structure));
    for_each_stage_two_row(page, stage_one, structure, |parts| {
        parts.iter().for_each(|part| rows.extend_from_slice(part))
    });
    rows
}

/// Calls `row` with stage two's inputs of every line in order, as the consecutive parts of the
/// line's row: its line and page features, its context, and with `structure` its dense
/// structure features and group context.
fn for_each_stage_two_row(
    page: &PageFeatures,
    stage_one: &[[f32; K]],
    structure: bool,
    mut row: impl FnMut(&[&[f32]]),
) {
    let neighbours = ContentNeighbours::new(stage_one);
    let structure = structure.then(|| {
        let rows = page
            .structure
            .as_ref()
            .expect("stages that read structure get pages with structure features");
        (rows, rows.group_context(stage_one))
    });
    let mut context = [0.0f32; CONTEXT_DIM];
    for i in 0..page.len() {
        context_row(stage_one, &neighbours, i, &mut context);
        let dense = &page.dense_row(i)[..SECOND_STAGE_DENSE];
        match &structure {
            Some((rows, groups)) => row(&[
                dense,
                &context,
                rows.dense_row(i),
                &groups[i * GROUP_CONTEXT_DIM..(i + 1) * GROUP_CONTEXT_DIM],
            ]),
            None => row(&[dense, &context]),
        }
    }
}

/// Stage two: the final class log-probabilities of every line.
pub(crate) fn stage_two(
    scorer: &PackedScorer,
    page: &PageFeatures,
    stage_one: &[[f32; K]],
    structure: bool,
) -> Vec<[f32; K]> {
    let mut out = Vec::with_capacity(page.len());
    for_each_stage_two_row(page, stage_one, structure, |parts| {
        out.push(log_softmax(scorer.row_scores(parts)))
    });
    out
}

/// Number of context features per line; see [`context_row`].
pub(crate) const CONTEXT_DIM: usize = 8 * 5 + 2;

/// Whether a line's first-stage probabilities leave it possibly content: not confident chrome.
fn not_chrome(p: &[f32; K]) -> bool {
    p[1] < 0.5
}

/// For every line, the nearest lines before and after it that are [`not_chrome`]
/// ([`NONE`] where there is none), found in two passes rather than a search per line.
struct ContentNeighbours {
    before: Vec<u32>,
    after: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl ContentNeighbours {
    fn new(probs: &[[f32; K]]) -> ContentNeighbours {
        let n = probs.len();
        let mut before = vec![NONE; n];
        let mut after = vec![NONE; n];
        let mut last = NONE;
        for (i, p) in probs.iter().enumerate() {
            before[i] = last;
            if not_chrome(p) {
                last = i as u32;
            }
        }
        last = NONE;
        for (i, p) in probs.iter().enumerate().rev() {
            after[i] = last;
            if not_chrome(p) {
                last = i as u32;
            }
        }
        ContentNeighbours { before, after }
    }
}

/// Line `i`'s context features: its own first-stage probabilities, its neighbours'
/// (immediate, and nearest ones that are not confident chrome, which skips separators), and the
/// mean over windows of 3 and 8 lines each side. Lists and articles come in runs; this is how a
/// line learns what run it stands in.
fn context_row(
    probs: &[[f32; K]],
    neighbours: &ContentNeighbours,
    i: usize,
    row: &mut [f32; CONTEXT_DIM],
) {
    let n = probs.len();
    row.fill(0.0);
    let mut put = |slot: usize, p: Option<&[f32; 5]>| {
        if let Some(p) = p {
            row[slot * 5..slot * 5 + 5].copy_from_slice(p);
        }
    };
    let line = |j: u32| (j != NONE).then(|| &probs[j as usize]);
    put(0, Some(&probs[i]));
    put(1, i.checked_sub(1).map(|j| &probs[j]));
    put(2, probs.get(i + 1));
    put(3, line(neighbours.before[i]));
    put(4, line(neighbours.after[i]));
    for (slot, radius) in [(5, 3usize), (6, 8)] {
        let a = i.saturating_sub(radius);
        let b = (i + radius).min(n - 1);
        let count = (b - a) as f32;
        if count > 0.0 {
            for j in (a..=b).filter(|&j| j != i) {
                for c in 0..5 {
                    row[slot * 5 + c] += probs[j][c] / count;
                }
            }
        }
    }
    // Same window, non-chrome lines only: what the content around the line is.
    let a = i.saturating_sub(5);
    let b = (i + 5).min(n - 1);
    let near = || (a..=b).filter(|&j| j != i && not_chrome(&probs[j]));
    let count = near().count() as f32;
    for j in near() {
        for c in 0..5 {
            row[35 + c] += probs[j][c] / count;
        }
    }
    row[40] = i.checked_sub(1).is_none() as u8 as f32;
    row[41] = (i + 1 == n) as u8 as f32;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_neighbours_are_the_nearest_lines_not_confidently_chrome() {
        let chrome = [0.0, 0.9, 0.0, 0.1, 0.0];
        let body = [0.9, 0.05, 0.0, 0.05, 0.0];
        let probs = [chrome, body, chrome, chrome, body, chrome];
        let n = ContentNeighbours::new(&probs);
        let naive = |i: usize| {
            let before = (0..i).rev().find(|&j| not_chrome(&probs[j]));
            let after = (i + 1..probs.len()).find(|&j| not_chrome(&probs[j]));
            let code = |j: Option<usize>| j.map_or(NONE, |j| j as u32);
            (code(before), code(after))
        };
        for i in 0..probs.len() {
            assert_eq!((n.before[i], n.after[i]), naive(i), "line {i}");
        }
        assert_eq!(n.before[2], 1);
        assert_eq!(n.after[2], 4);
        assert_eq!(n.after[4], NONE);
    }

    #[test]
    fn context_rows_read_the_line_its_neighbours_and_the_page_ends() {
        let probs = [[0.2, 0.2, 0.2, 0.2, 0.2], [0.9, 0.1, 0.0, 0.0, 0.0]];
        let neighbours = ContentNeighbours::new(&probs);
        let mut row = [f32::NAN; CONTEXT_DIM];
        context_row(&probs, &neighbours, 0, &mut row);
        assert_eq!(row[..5], probs[0]);
        assert_eq!(row[5..10], [0.0; 5], "no line before the first");
        assert_eq!(row[10..15], probs[1]);
        assert_eq!(row[40], 1.0);
        assert_eq!(row[41], 0.0);
        assert!(row.iter().all(|v| v.is_finite()));
    }
}
