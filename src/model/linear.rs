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

    /// Class scores of one full feature row, computed plainly: what labeling computes with the
    /// packed form (`packed.rs`), for tests to check against.
    #[cfg(test)]
    pub(crate) fn row_scores(&self, x: &[f32]) -> [f32; K] {
        let mut s = self.bias;
        for (weights, &v) in self.weights.chunks_exact(K).zip(x) {
            for (s, &w) in s.iter_mut().zip(weights) {
                *s += v * w;
            }
        }
        s
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
    let sum: f32 = exp_shifted(&s, max).iter().sum();
    // (v - max) - ln(sum), not v - (max + ln(sum)): at large scores max + ln(sum) rounds ln(sum)
    // away and the probabilities no longer add up to one.
    let log_sum = sum.ln();
    s.iter_mut().for_each(|v| *v = (*v - max) - log_sum);
    s
}

/// Normalizes class scores into probabilities, clamped as [`log_softmax`] clamps them.
pub(super) fn softmax(s: [f32; K]) -> [f32; K] {
    let (s, max) = clamped(s);
    let mut s = exp_shifted(&s, max);
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

/// `exp(v - max)` of every score, computed for all classes at once: the loop over a fixed
/// number of lanes has no calls and no branches, so it compiles to a few vector instructions
/// where the C library's `expf` would be called five times.
fn exp_shifted(s: &[f32; K], max: f32) -> [f32; K] {
    const LANES: usize = 8;
    let mut x = [0.0f32; LANES];
    for (x, &v) in x.iter_mut().zip(s) {
        *x = v - max;
    }
    let e = exp_lanes(x);
    let mut out = [0.0f32; K];
    out.copy_from_slice(&e[..K]);
    out
}

/// `e^x` for 8 values at once, to within 2 units in the last place for `x` in -87..=88 (below,
/// the smallest normal float; above, the largest power of two that fits): Cody and Waite's
/// range reduction and Cephes' degree-5 polynomial.
fn exp_lanes(x: [f32; 8]) -> [f32; 8] {
    // Adding and subtracting 1.5 × 2^23 rounds to the nearest integer without a call.
    const ROUND: f32 = 12_582_912.0;
    const LN2_HIGH: f32 = 0.693_359_4;
    const LN2_LOW: f32 = -2.121_944_4e-4;
    let mut out = [0.0f32; 8];
    for (out, &x) in out.iter_mut().zip(&x) {
        let x = x.clamp(-87.0, 88.0);
        let rounded = x * std::f32::consts::LOG2_E + ROUND;
        let n = rounded - ROUND;
        // The integer n is in `rounded`'s low mantissa bits: no float-to-int conversion.
        let power = (rounded.to_bits() as i32 - ROUND.to_bits() as i32 + 127) << 23;
        let r = x - n * LN2_HIGH - n * LN2_LOW;
        let mut p = 1.987_569_1e-4;
        p = p * r + 1.398_199_9e-3;
        p = p * r + 8.333_452e-3;
        p = p * r + 4.166_579_6e-2;
        p = p * r + 1.666_666_5e-1;
        p = p * r + 0.5;
        let e = p * r * r + r + 1.0;
        *out = e * f32::from_bits(power as u32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_lanes_is_exp_to_within_a_few_ulps() {
        let mut x = -87.0f32;
        while x <= 88.0 {
            let xs = [x, x / 2.0, x / 3.0, -x / 7.0, 0.0, 1e-6, -1e-6, x.sin()];
            for (got, &x) in exp_lanes(xs).iter().zip(&xs) {
                let want = x.exp();
                assert!(
                    (got - want).abs() <= 4.0 * f32::EPSILON * want,
                    "exp({x}) = {want}, got {got}"
                );
            }
            x += 0.0137;
        }
        assert!(exp_lanes([-1e30; 8])
            .iter()
            .all(|&v| (0.0..1e-37).contains(&v)));
        assert!(exp_lanes([f32::NEG_INFINITY; 8])
            .iter()
            .all(|v| v.is_finite()));
    }
}
