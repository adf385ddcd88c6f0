//! The stacked model, in one place for labeling and training alike: stage one averages line
//! scorers over all features, stage two reads a line's own line and page features plus context
//! features made of stage one's probabilities around it. Training fits each stage on exactly the
//! inputs these functions give at labeling time.

use crate::class::Class;
use crate::features::{PageFeatures, GROUP_CONTEXT_DIM, SECOND_STAGE_DENSE, STRUCTURE_DENSE};

use super::linear::Linear;

const K: usize = Class::COUNT;

/// Number of features stage two reads per line: line and page features, then context features.
pub(crate) const STAGE_TWO_DIM: usize = SECOND_STAGE_DENSE + CONTEXT_DIM;

/// Stage one: the mean class probabilities of `scorers` for every line of a page.
pub(crate) fn stage_one(scorers: &[Linear], page: &PageFeatures) -> Vec<[f32; K]> {
    let share = 1.0 / scorers.len() as f32;
    (0..page.len())
        .map(|i| {
            let mut p = [0.0f32; K];
            for scorer in scorers {
                let lp = scorer.line_log_probs(page, i);
                for c in 0..K {
                    p[c] += share * lp[c].exp();
                }
            }
            p
        })
        .collect()
}

/// Number of values a line's stage-two row holds: [`STAGE_TWO_DIM`], then with `structure`
/// the dense structure features and the group context.
pub(crate) fn stage_two_dim(structure: bool) -> usize {
    if structure {
        STAGE_TWO_DIM + STRUCTURE_DENSE + GROUP_CONTEXT_DIM
    } else {
        STAGE_TWO_DIM
    }
}

/// Stage two's inputs for every line, [`stage_two_dim`] values a line, lines in order; with
/// `structure`, the page must have structure features.
pub(crate) fn stage_two_inputs(
    page: &PageFeatures,
    stage_one: &[[f32; K]],
    structure: bool,
) -> Vec<f32> {
    let context = context_features(stage_one);
    let structure = structure.then(|| {
        let rows = page
            .structure
            .as_ref()
            .expect("stages that read structure get pages with structure features");
        (rows, rows.group_context(stage_one))
    });
    let mut rows = Vec::with_capacity(page.len() * stage_two_dim(structure.is_some()));
    for i in 0..page.len() {
        rows.extend_from_slice(&page.dense_row(i)[..SECOND_STAGE_DENSE]);
        rows.extend_from_slice(&context[i * CONTEXT_DIM..(i + 1) * CONTEXT_DIM]);
        if let Some((structure, groups)) = &structure {
            rows.extend_from_slice(structure.dense_row(i));
            rows.extend_from_slice(&groups[i * GROUP_CONTEXT_DIM..(i + 1) * GROUP_CONTEXT_DIM]);
        }
    }
    rows
}

/// Stage two: the final class log-probabilities of every line.
pub(crate) fn stage_two(
    scorer: &Linear,
    page: &PageFeatures,
    stage_one: &[[f32; K]],
    structure: bool,
) -> Vec<[f32; K]> {
    stage_two_inputs(page, stage_one, structure)
        .chunks_exact(stage_two_dim(structure))
        .map(|row| scorer.row_log_probs(row))
        .collect()
}

/// Number of context features per line; see [`context_features`].
pub(crate) const CONTEXT_DIM: usize = 8 * 5 + 2;

/// Second-stage features from first-stage class probabilities: the line's own, its neighbours'
/// (immediate, and nearest ones that are not confident chrome, which skips separators), and the
/// mean over windows of 3 and 8 lines each side. Lists and articles come in runs; this is how a
/// line learns what run it stands in.
pub(crate) fn context_features(probs: &[[f32; 5]]) -> Vec<f32> {
    let n = probs.len();
    let mut out = vec![0.0f32; n * CONTEXT_DIM];
    let not_chrome = |j: usize| probs[j][1] < 0.5;
    for i in 0..n {
        let row = &mut out[i * CONTEXT_DIM..(i + 1) * CONTEXT_DIM];
        let mut put = |slot: usize, p: Option<&[f32; 5]>| {
            if let Some(p) = p {
                row[slot * 5..slot * 5 + 5].copy_from_slice(p);
            }
        };
        put(0, Some(&probs[i]));
        put(1, i.checked_sub(1).map(|j| &probs[j]));
        put(2, probs.get(i + 1));
        put(3, (0..i).rev().find(|&j| not_chrome(j)).map(|j| &probs[j]));
        put(4, (i + 1..n).find(|&j| not_chrome(j)).map(|j| &probs[j]));
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
        let near: Vec<usize> = (a..=b).filter(|&j| j != i && not_chrome(j)).collect();
        for &j in &near {
            for c in 0..5 {
                row[35 + c] += probs[j][c] / near.len() as f32;
            }
        }
        row[40] = i.checked_sub(1).is_none() as u8 as f32;
        row[41] = (i + 1 == n) as u8 as f32;
    }
    out
}
