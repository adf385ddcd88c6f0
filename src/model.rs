//! The model: per-line linear class scores plus class transitions, and its versioned file format.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::class::Class;
use crate::decode::Transitions;
use crate::error::{Error, Result};
use crate::features::{self, PageFeatures, DENSE_DIM, DIM, FEATURE_VERSION, HASH_BITS};

/// Version of the model file format. Files of another version are refused.
pub const FORMAT_VERSION: u32 = 1;
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
    /// L2 penalty of the logistic regression.
    pub alpha: f32,
    /// Iteration cap of the optimizer.
    pub max_iterations: u64,
    /// The seed given to `train`.
    pub seed: u64,
}

/// A trained model: a multinomial logistic regression over the line features and a
/// transition table for decoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    format: String,
    format_version: u32,
    feature_version: u32,
    hash_bits: u32,
    dense_dim: usize,
    classes: Vec<Class>,
    /// `weights[f * K + c]`: weight of feature `f` for class `c`.
    weights: Vec<f32>,
    bias: [f32; K],
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
    /// Builds a model from weights laid out as `[feature][class]` over [`features::DIM`] features.
    pub fn new(
        weights: Vec<f32>,
        bias: [f32; K],
        transitions: Transitions,
        training: TrainingSummary,
    ) -> Model {
        assert_eq!(weights.len(), DIM * K, "weights must cover every feature");
        Model {
            format: FORMAT_NAME.to_string(),
            format_version: FORMAT_VERSION,
            feature_version: FEATURE_VERSION,
            hash_bits: HASH_BITS,
            dense_dim: DENSE_DIM,
            classes: Class::ALL.to_vec(),
            weights,
            bias,
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
        if model.hash_bits != HASH_BITS || model.dense_dim != DENSE_DIM {
            return Err(err(format!(
                "feature sizes differ: model has {} dense features and 2^{} hashed, this chaff {} and 2^{}",
                model.dense_dim, model.hash_bits, DENSE_DIM, HASH_BITS
            )));
        }
        if model.classes != Class::ALL {
            return Err(err(
                "class list differs from body, chrome, copyright, byline, related".into(),
            ));
        }
        if model.weights.len() != DIM * K {
            return Err(err(format!(
                "corrupt model file: {} weights, expected {}",
                model.weights.len(),
                DIM * K
            )));
        }
        if model
            .weights
            .iter()
            .chain(&model.bias)
            .any(|w| !w.is_finite())
        {
            return Err(err(
                "corrupt model file: weights are not finite numbers".into()
            ));
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

    /// Per-line class log-probabilities of a page.
    pub fn log_probs(&self, page: &PageFeatures) -> Vec<[f32; K]> {
        (0..page.len())
            .map(|i| {
                let mut s = self.bias;
                for (f, &v) in page.dense_row(i).iter().enumerate() {
                    if v != 0.0 {
                        let w = &self.weights[f * K..f * K + K];
                        for c in 0..K {
                            s[c] += v * w[c];
                        }
                    }
                }
                for &(bucket, v) in page.hashed_row(i) {
                    let f = DENSE_DIM + bucket as usize;
                    let w = &self.weights[f * K..f * K + K];
                    for c in 0..K {
                        s[c] += v * w[c];
                    }
                }
                log_softmax(s)
            })
            .collect()
    }

    /// The weight of feature `feature` for class `class`.
    pub fn weight(&self, feature: usize, class: Class) -> f32 {
        self.weights[feature * K + class.index()]
    }
}

fn log_softmax(mut s: [f32; K]) -> [f32; K] {
    let max = s.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = s.iter().map(|v| (v - max).exp()).sum();
    let log_sum = max + sum.ln();
    s.iter_mut().for_each(|v| *v -= log_sum);
    s
}

/// Number of features a model weighs, for reports.
pub fn feature_count() -> usize {
    features::DIM
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Model {
        let mut weights = vec![0.0; DIM * K];
        weights[3] = 0.5;
        Model::new(
            weights,
            [0.1, 0.2, 0.3, 0.4, 0.5],
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
        let cut = json.replacen("[0.0,", "[", 1);
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
