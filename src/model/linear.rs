//! A linear scorer: class log-probabilities from weighted features, as models store it (labeling
//! scores with its packed form, `packed.rs`).

use serde::{Deserialize, Serialize};

use crate::class::Class;

const K: usize = Class::COUNT;

/// A linear scorer: one weight per feature and class, and a bias per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    /// `weights[f * K + c]`: weight of feature `f` for class `c`.
    pub weights: Vec<f32>,
    /// Bias per class.
    pub bias: [f32; K],
}

impl Linear {
    /// Number of features the scorer reads.
    pub fn dim(&self) -> usize {
        self.weights.len() / K
    }
}

/// Line scores are clamped into ±this before normalizing, so that no input can make a
/// probability NaN (a model that passed [`Model::check`] stays far inside it).
const MAX_LINE_SCORE: f32 = 1e30;

/// Normalizes class scores into log-probabilities. Scores are first clamped into a finite range
/// (NaN to the lowest score), so the result is finite whatever the model: a checked model never
/// comes near the clamp, but a NaN or infinite probability must never reach the output.
pub(super) fn log_softmax(s: [f32; K]) -> [f32; K] {
    let (mut s, max) = clamped(s);
    let sum: f32 = s.iter().map(|v| (v - max).exp()).sum();
    // (v - max) - ln(sum), not v - (max + ln(sum)): at large scores max + ln(sum) rounds ln(sum)
    // away and the probabilities no longer add up to one.
    let log_sum = sum.ln();
    s.iter_mut().for_each(|v| *v = (*v - max) - log_sum);
    s
}

/// Normalizes class scores into probabilities, clamped as [`log_softmax`] clamps them.
pub(super) fn softmax(s: [f32; K]) -> [f32; K] {
    let (mut s, max) = clamped(s);
    s.iter_mut().for_each(|v| *v = (*v - max).exp());
    let sum: f32 = s.iter().sum();
    s.iter_mut().for_each(|v| *v /= sum);
    s
}

/// The scores clamped into ±[`MAX_LINE_SCORE`] (NaN to the lowest), and their maximum.
fn clamped(mut s: [f32; K]) -> ([f32; K], f32) {
    for v in &mut s {
        *v = if v.is_nan() {
            -MAX_LINE_SCORE
        } else {
            v.clamp(-MAX_LINE_SCORE, MAX_LINE_SCORE)
        };
    }
    let max = s.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    (s, max)
}
