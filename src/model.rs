//! The model: per-line linear class scores plus class transitions, and its versioned file format.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::class::Class;
use crate::decode::Transitions;
use crate::error::{Error, Result};
use crate::features::{
    self, PageFeatures, CONTEXT_DIM, DENSE_DIM, DIM, FEATURE_VERSION, HASH_BITS, SECOND_STAGE_DENSE,
};

/// Version of the model file format. Files of another version are refused.
pub const FORMAT_VERSION: u32 = 2;
const FORMAT_NAME: &str = "chaff-model";

/// The default model, trained on `training/` and compiled into the binary.
const DEFAULT_MODEL: &str = include_str!("../models/default.json");

const K: usize = Class::COUNT;

/// What a model was trained on and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainingSummary {
    /// Number of pages.
    pub pages: usize,
    /// Lines per class, in [`Class::ALL`] order.
    pub lines_per_class: [usize; K],
    /// L2 penalty of the logistic regressions.
    pub alpha: f32,
    /// Iteration cap of the optimizer.
    pub max_iterations: u64,
    /// The seed given to `train`.
    pub seed: u64,
}

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

    fn add_row(&self, s: &mut [f32; K], offset: usize, values: &[f32]) {
        for (f, &v) in values.iter().enumerate() {
            if v != 0.0 {
                let base = (offset + f) * K;
                let w = &self.weights[base..base + K];
                for c in 0..K {
                    s[c] += v * w[c];
                }
            }
        }
    }

    /// Class log-probabilities of one full feature row.
    pub fn row_log_probs(&self, x: &[f32]) -> [f32; K] {
        let mut s = self.bias;
        self.add_row(&mut s, 0, x);
        log_softmax(s)
    }

    /// Class log-probabilities of line `i` from all its features.
    fn line_log_probs(&self, page: &PageFeatures, i: usize) -> [f32; K] {
        let mut s = self.bias;
        self.add_row(&mut s, 0, page.dense_row(i));
        for &(bucket, v) in page.hashed_row(i) {
            let base = (DENSE_DIM + bucket as usize) * K;
            let w = &self.weights[base..base + K];
            for c in 0..K {
                s[c] += v * w[c];
            }
        }
        log_softmax(s)
    }

    /// Class log-probabilities of line `i` from its dense features and `context`.
    fn context_log_probs(&self, page: &PageFeatures, i: usize, context: &[f32]) -> [f32; K] {
        let mut s = self.bias;
        self.add_row(&mut s, 0, &page.dense_row(i)[..SECOND_STAGE_DENSE]);
        self.add_row(&mut s, SECOND_STAGE_DENSE, context);
        log_softmax(s)
    }
}

/// A trained model: two stages of multinomial logistic regression and a transition table.
///
/// The first stage scores each line from its own features (an average of scorers trained on
/// disjoint halves of the corpus, so that training sees their out-of-fold behaviour); the second
/// stage reads the dense line features and the first stage's probabilities of the lines around
/// it ([`features::context_features`]).
/// Viterbi decoding over class transitions then picks the page's class sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    format: String,
    format_version: u32,
    feature_version: u32,
    hash_bits: u32,
    dense_dim: usize,
    context_dim: usize,
    classes: Vec<Class>,
    /// First-stage scorers over [`features::DIM`] features; their probabilities are averaged.
    line_scorers: Vec<Linear>,
    /// Second-stage scorer over the first [`SECOND_STAGE_DENSE`] dense features and
    /// [`CONTEXT_DIM`] context features.
    context_scorer: Linear,
    /// Class transitions used in decoding.
    pub transitions: Transitions,
    /// What the model was trained on.
    pub training: TrainingSummary,
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    format_version: Option<u32>,
    feature_version: Option<u32>,
}

impl Model {
    /// Builds a model from its scorers.
    pub fn new(
        line_scorers: Vec<Linear>,
        context_scorer: Linear,
        transitions: Transitions,
        training: TrainingSummary,
    ) -> Model {
        assert!(!line_scorers.is_empty(), "at least one line scorer");
        assert!(line_scorers.iter().all(|l| l.dim() == DIM));
        assert_eq!(context_scorer.dim(), SECOND_STAGE_DENSE + CONTEXT_DIM);
        Model {
            format: FORMAT_NAME.to_string(),
            format_version: FORMAT_VERSION,
            feature_version: FEATURE_VERSION,
            hash_bits: HASH_BITS,
            dense_dim: DENSE_DIM,
            context_dim: CONTEXT_DIM,
            classes: Class::ALL.to_vec(),
            line_scorers,
            context_scorer,
            transitions,
            training,
        }
    }

    /// The model compiled into this binary.
    pub fn builtin() -> Model {
        Model::from_json(DEFAULT_MODEL, "<built-in>")
            .expect("the built-in model matches the binary")
    }

    /// Reads a model file, refusing corrupt files and files of another format or feature layout.
    pub fn load(path: &Path) -> Result<Model> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Model {
            path: name.clone(),
            message: format!("cannot read: {e}"),
        })?;
        Model::from_json(&text, &name)
    }

    /// Parses a model from its JSON text; `name` names it in errors.
    pub fn from_json(text: &str, name: &str) -> Result<Model> {
        let err = |message: String| Error::Model {
            path: name.to_string(),
            message,
        };
        let header: Header = serde_json::from_str(text)
            .map_err(|e| err(format!("not a chaff model file (invalid JSON: {e})")))?;
        if header.format.as_deref() != Some(FORMAT_NAME) {
            return Err(err(
                "not a chaff model file (no \"format\": \"chaff-model\")".into(),
            ));
        }
        match header.format_version {
            Some(FORMAT_VERSION) => {}
            other => {
                return Err(err(format!(
                    "model format version {} but this chaff reads version {FORMAT_VERSION}; retrain with `chaff train`",
                    other.map_or("missing".to_string(), |v| v.to_string())
                )))
            }
        }
        match header.feature_version {
            Some(FEATURE_VERSION) => {}
            other => {
                return Err(err(format!(
                    "model built for feature layout version {} but this chaff computes version {FEATURE_VERSION}; retrain with `chaff train`",
                    other.map_or("missing".to_string(), |v| v.to_string())
                )))
            }
        }
        let model: Model =
            serde_json::from_str(text).map_err(|e| err(format!("corrupt model file: {e}")))?;
        if model.hash_bits != HASH_BITS
            || model.dense_dim != DENSE_DIM
            || model.context_dim != CONTEXT_DIM
        {
            return Err(err(format!(
                "feature sizes differ: model has {} dense, 2^{} hashed and {} context features, this chaff {}, 2^{} and {}",
                model.dense_dim, model.hash_bits, model.context_dim, DENSE_DIM, HASH_BITS, CONTEXT_DIM
            )));
        }
        if model.classes != Class::ALL {
            return Err(err(
                "class list differs from body, chrome, copyright, byline, related".into(),
            ));
        }
        let scorers = model.line_scorers.iter().chain([&model.context_scorer]);
        for (k, scorer) in scorers.enumerate() {
            let expected = if k < model.line_scorers.len() {
                DIM
            } else {
                SECOND_STAGE_DENSE + CONTEXT_DIM
            };
            if scorer.weights.len() != expected * K {
                return Err(err(format!(
                    "corrupt model file: scorer {k} has {} weights, expected {}",
                    scorer.weights.len(),
                    expected * K
                )));
            }
            if scorer
                .weights
                .iter()
                .chain(&scorer.bias)
                .any(|w| !w.is_finite())
            {
                return Err(err(
                    "corrupt model file: weights are not finite numbers".into()
                ));
            }
        }
        if model.line_scorers.is_empty() {
            return Err(err("corrupt model file: no line scorer".into()));
        }
        Ok(model)
    }

    /// Serializes the model as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model always serializes")
    }

    /// Writes the model to a file.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_json()).map_err(|e| Error::io(path.display().to_string(), e))
    }

    /// The first-stage scorers.
    pub fn line_scorers(&self) -> &[Linear] {
        &self.line_scorers
    }

    /// The second-stage (context) scorer.
    pub fn context_scorer(&self) -> &Linear {
        &self.context_scorer
    }

    /// First-stage class probabilities of every line.
    pub fn line_probs(&self, page: &PageFeatures) -> Vec<[f32; K]> {
        line_probs(&self.line_scorers, page)
    }

    /// Final per-line class log-probabilities of a page.
    pub fn log_probs(&self, page: &PageFeatures) -> Vec<[f32; K]> {
        let context = features::context_features(&self.line_probs(page));
        (0..page.len())
            .map(|i| {
                let extra = &context[i * CONTEXT_DIM..(i + 1) * CONTEXT_DIM];
                self.context_scorer.context_log_probs(page, i, extra)
            })
            .collect()
    }
}

/// Mean class probabilities of several line scorers.
pub fn line_probs(scorers: &[Linear], page: &PageFeatures) -> Vec<[f32; K]> {
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

fn log_softmax(mut s: [f32; K]) -> [f32; K] {
    let max = s.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = s.iter().map(|v| (v - max).exp()).sum();
    let log_sum = max + sum.ln();
    s.iter_mut().for_each(|v| *v -= log_sum);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Model {
        let mut weights = vec![0.0; DIM * K];
        weights[3] = 0.5;
        let line = Linear {
            weights,
            bias: [0.1, 0.2, 0.3, 0.4, 0.5],
        };
        let context = Linear {
            weights: vec![0.25; (SECOND_STAGE_DENSE + CONTEXT_DIM) * K],
            bias: [0.0; K],
        };
        Model::new(
            vec![line.clone(), line],
            context,
            Transitions::uniform(),
            TrainingSummary::default(),
        )
    }

    #[test]
    fn round_trips_through_json() {
        let m = tiny();
        let back = Model::from_json(&m.to_json(), "m.json").unwrap();
        assert_eq!(m, back);
    }

    #[test]
    fn refuses_mismatched_versions() {
        let json = tiny().to_json();
        let old = json.replace(
            &format!("\"feature_version\":{FEATURE_VERSION}"),
            "\"feature_version\":0",
        );
        let err = Model::from_json(&old, "old.json").unwrap_err().to_string();
        assert!(
            err.contains("old.json") && err.contains("feature layout version 0"),
            "{err}"
        );
        let newer = json.replace(
            &format!("\"format_version\":{FORMAT_VERSION}"),
            "\"format_version\":99",
        );
        let err = Model::from_json(&newer, "new.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("format version 99"), "{err}");
    }

    #[test]
    fn refuses_corrupt_files() {
        let err = Model::from_json("{not json", "x.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("model x.json: not a chaff model file"),
            "{err}"
        );
        let json = tiny().to_json();
        let cut = json.replacen("[0.25,", "[", 1);
        let err = Model::from_json(&cut, "cut.json").unwrap_err().to_string();
        assert!(err.contains("corrupt model file"), "{err}");
    }

    #[test]
    fn probabilities_are_normalized() {
        let s = log_softmax([1.0, 2.0, 3.0, 0.0, -1.0]);
        let total: f32 = s.iter().map(|v| v.exp()).sum();
        assert!((total - 1.0).abs() < 1e-5);
    }
}
