//! Scorers laid out for labeling: a feature's weights for every class side by side, padded to
//! [`LANES`], so that adding one feature to a line's scores is a single short vector
//! multiply-add the compiler emits without branches, dense features included.
//!
//! [`Linear`] stays the model file's layout and what training produces; a [`PackedScorer`] is
//! built from it when a model is loaded.

use crate::class::Class;
use crate::features::{PageFeatures, DENSE_DIM, DIM, STRUCTURE_DENSE};

use super::linear::Linear;

const K: usize = Class::COUNT;

/// Classes padded to a whole number of SIMD registers.
pub(crate) const LANES: usize = 8;

/// One feature's weights, or a line's scores, for every class (the lanes past [`K`] stay 0).
type Lanes = [f32; LANES];

/// A linear scorer with its weights padded per feature; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PackedScorer {
    /// `rows[f][c]`: weight of feature `f` for class `c`.
    rows: Vec<Lanes>,
    bias: Lanes,
}

impl PackedScorer {
    /// The scorer whose scores are the mean of `scorers`' scores (their mean logits).
    ///
    /// # Panics
    /// If `scorers` is empty or their sizes differ; models are checked before this is called.
    pub(crate) fn mean(scorers: &[Linear]) -> PackedScorer {
        let dim = scorers[0].dim();
        assert!(scorers.iter().all(|s| s.dim() == dim));
        let share = 1.0 / scorers.len() as f32;
        let mut rows = vec![[0.0f32; LANES]; dim];
        let mut bias = [0.0f32; LANES];
        if let [scorer] = scorers {
            // A single scorer keeps its weights bit for bit.
            for (row, weights) in rows.iter_mut().zip(scorer.weights.chunks_exact(K)) {
                row[..K].copy_from_slice(weights);
            }
            bias[..K].copy_from_slice(&scorer.bias);
        } else {
            for scorer in scorers {
                for (row, weights) in rows.iter_mut().zip(scorer.weights.chunks_exact(K)) {
                    for c in 0..K {
                        row[c] += share * weights[c];
                    }
                }
                for (b, &v) in bias.iter_mut().zip(&scorer.bias) {
                    *b += share * v;
                }
            }
        }
        PackedScorer { rows, bias }
    }

    /// Number of features the scorer reads.
    pub(crate) fn dim(&self) -> usize {
        self.rows.len()
    }

    /// Adds `values`, features `offset..offset + values.len()`, to `scores`. Zeros are added
    /// too: a branch per feature costs more than the multiply-add, and adding 0 changes no sum.
    #[inline]
    fn add_dense(&self, scores: &mut Lanes, offset: usize, values: &[f32]) {
        let rows = &self.rows[offset..offset + values.len()];
        for (w, &v) in rows.iter().zip(values) {
            for c in 0..LANES {
                scores[c] += v * w[c];
            }
        }
    }

    /// Adds sparse `(feature - offset, value)` pairs to `scores`.
    #[inline]
    fn add_sparse(&self, scores: &mut Lanes, offset: usize, pairs: &[(u32, f32)]) {
        let rows = &self.rows[offset..];
        for &(feature, v) in pairs {
            let w = &rows[feature as usize];
            for c in 0..LANES {
                scores[c] += v * w[c];
            }
        }
    }

    /// Class scores of line `i` of `page` from all its features; a scorer wider than [`DIM`]
    /// reads the page's structure features too.
    pub(crate) fn line_scores(&self, page: &PageFeatures, i: usize) -> [f32; K] {
        let mut s = self.bias;
        self.add_dense(&mut s, 0, page.dense_row(i));
        self.add_sparse(&mut s, DENSE_DIM, page.hashed_row(i));
        if self.dim() > DIM {
            let structure = page
                .structure
                .as_ref()
                .expect("scorers that read structure get pages with structure features");
            self.add_dense(&mut s, DIM, structure.dense_row(i));
            self.add_sparse(&mut s, DIM + STRUCTURE_DENSE, structure.hashed_row(i));
        }
        first_k(s)
    }

    /// Class scores of a dense row given in consecutive parts (the row is their
    /// concatenation, so no row has to be assembled).
    pub(crate) fn row_scores(&self, parts: &[&[f32]]) -> [f32; K] {
        let mut s = self.bias;
        let mut offset = 0;
        for part in parts {
            self.add_dense(&mut s, offset, part);
            offset += part.len();
        }
        first_k(s)
    }
}

fn first_k(s: Lanes) -> [f32; K] {
    let mut out = [0.0; K];
    out.copy_from_slice(&s[..K]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scorer(dim: usize, seed: u32) -> Linear {
        let weights = (0..dim * K)
            .map(|i| ((i as u32).wrapping_mul(2_654_435_761) ^ seed) as f32 / u32::MAX as f32 - 0.5)
            .collect();
        Linear {
            weights,
            bias: [0.1, -0.2, 0.3, 0.0, -0.1],
        }
    }

    #[test]
    fn a_single_scorer_scores_as_its_linear_form() {
        let lines = [
            "Breaking: a headline",
            "A paragraph long enough to read as prose, and it ends the way sentences end.",
            "Copyright © Example",
        ];
        let page = crate::language::PageLanguage::estimate(&lines);
        let features = crate::features::extract(&lines, &page, &["eng"; 3]);
        let linear = scorer(DIM, 7);
        let packed = PackedScorer::mean(std::slice::from_ref(&linear));
        for i in 0..lines.len() {
            let mut row = vec![0.0; DIM];
            features.write_dense_row(i, &mut row);
            let expected = linear.row_scores(&row);
            // (Hashed pairs of one bucket are summed in the row first, so allow rounding.)
            let scores = packed.line_scores(&features, i);
            for c in 0..K {
                assert!(
                    (scores[c] - expected[c]).abs() < 1e-5,
                    "{scores:?} {expected:?}"
                );
            }
            assert_eq!(
                packed.row_scores(&[&row[..10], &row[10..]]),
                packed.row_scores(&[&row])
            );
        }
    }

    #[test]
    fn the_mean_of_scorers_scores_their_mean() {
        let (a, b) = (scorer(4, 1), scorer(4, 2));
        let row = [1.0, 0.0, 0.5, 2.0];
        let mean = PackedScorer::mean(&[a.clone(), b.clone()]).row_scores(&[&row]);
        let (sa, sb) = (
            PackedScorer::mean(&[a]).row_scores(&[&row]),
            PackedScorer::mean(&[b]).row_scores(&[&row]),
        );
        for c in 0..K {
            assert!((mean[c] - (sa[c] + sb[c]) / 2.0).abs() < 1e-5);
        }
    }
}
