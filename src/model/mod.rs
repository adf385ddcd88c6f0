//! The model: per-line linear class scores plus class transitions, and its versioned file format.

pub mod decode;
mod linear;
mod packed;
pub mod provenance;
mod stacked;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::class::Class;
use crate::error::{Error, Result};
use crate::features::{
    PageFeatures, DENSE_DIM, DIM, FEATURE_VERSION, GROUP_CONTEXT_DIM, HASH_BITS, STRUCTURE_DENSE,
    STRUCTURE_DIM,
};
use crate::model::decode::Transitions;

pub(crate) use linear::Linear;
pub(crate) use packed::PackedScorer;
pub use provenance::Provenance;
#[cfg(feature = "train")]
pub(crate) use stacked::{stage_one_packed, stage_two_dim, stage_two_inputs};
pub(crate) use stacked::{CONTEXT_DIM, STAGE_TWO_DIM};

/// Version of the model file format. Files of another version are refused.
///
/// 4: the `provenance` object (chaff's version, corpus digest, focus, warm start,
/// hyper-parameters).
pub const FORMAT_VERSION: u32 = 4;
const FORMAT_NAME: &str = "chaff-model";

/// The default model, trained on `training/` and compiled into the binary.
const DEFAULT_MODEL: &str = include_str!("../../models/default.json");

const K: usize = Class::COUNT;

/// The largest model file chaff reads, so that a wrong `--model` (`/dev/zero`, a pipe that never
/// ends, a huge unrelated file) fails fast instead of filling memory.
///
/// The default model is about 58 KB: two line scorers and a context scorer, (2 × [`DIM`] +
/// [`SECOND_STAGE_DENSE`] + [`CONTEXT_DIM`]) × 5 numbers. 64 MiB leaves room for a thousand
/// times that: many more line scorers, every number written at full length and pretty-printed.
pub const MAX_MODEL_BYTES: u64 = 64 << 20;

// A model of this layout with 16 line scorers, at 64 bytes per number, must fit under the cap;
// a layout change that breaks this (say, many more hash bits) must revisit the cap.
const _: () = assert!(((16 * DIM + STAGE_TWO_DIM) * K * 64) as u64 <= MAX_MODEL_BYTES);

/// The largest magnitude of a weight, bias or transition score in a model.
///
/// Trained values are small: the default model's weights, biases and transition scores all lie
/// within ±6. Weights come from L2-regularized logistic regressions over features of about
/// 0..=2 each; transition scores are log-ratios of add-one-smoothed counts, within
/// ±ln(lines + 5), which is ±30 even for 10^13 lines. 10^4 leaves a margin of a thousand and
/// keeps scores finite: a line's score is a bias plus feature × weight products whose feature
/// values add up to a few per byte of the line (hashed word features count 1 per word), so even
/// a gigabyte line scores below 10^14, and Viterbi sums of such scores and transitions stay far
/// below the f32 limit of 3.4 × 10^38.
pub const MAX_SCORE_MAGNITUDE: f32 = 1e4;

/// The largest transition weight in a model: how much class transitions weigh against line
/// scores. The default is 0.3; at 10 the transitions already outvote any line score, so 1000 is
/// a wide margin.
pub const MAX_TRANSITION_WEIGHT: f32 = 1e3;

/// What `Model::new` calls the model in errors.
#[cfg(feature = "train")]
const NEW_MODEL_NAME: &str = "<new model>";

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
    /// Pages that trained the HTML stages (labeled HTML pages).
    #[serde(default)]
    pub html_pages: usize,
}

/// Number of features the second stage of an HTML model reads per line: the text model's, then
/// the dense structure features and the group context.
const HTML_STAGE_TWO_DIM: usize = STAGE_TWO_DIM + STRUCTURE_DENSE + GROUP_CONTEXT_DIM;

/// One set of scorers and transitions: the text model's, or the HTML model's (which reads
/// structure features as well).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Stages {
    /// First-stage scorers over a line's features; labeling scores with their mean weights
    /// (one scorer whose scores are the mean of theirs).
    pub(crate) line_scorers: Vec<Linear>,
    /// Second-stage scorer over the first [`SECOND_STAGE_DENSE`] dense features,
    /// [`CONTEXT_DIM`] context features and, for HTML, the structure context.
    pub(crate) context_scorer: Linear,
    /// Class transitions used in decoding.
    pub(crate) transitions: Transitions,
    /// The scorers packed for labeling, made on first use.
    #[serde(skip)]
    packed: PackedStages,
}

/// A [`Stages`]' scorers laid out for labeling ([`PackedScorer`]); made from the scorers on
/// first use, so every way of making `Stages` (reading a file, training) gets it.
#[derive(Debug, Clone, Default)]
struct PackedStages(OnceLock<(PackedScorer, PackedScorer)>);

/// The packed form is derived from the scorers, which are compared already.
impl PartialEq for PackedStages {
    fn eq(&self, _: &PackedStages) -> bool {
        true
    }
}

impl Stages {
    /// Stages of these scorers and transitions.
    #[cfg(feature = "train")]
    pub(crate) fn new(
        line_scorers: Vec<Linear>,
        context_scorer: Linear,
        transitions: Transitions,
    ) -> Stages {
        Stages {
            line_scorers,
            context_scorer,
            transitions,
            packed: PackedStages::default(),
        }
    }

    /// The scorers packed for labeling.
    fn packed(&self) -> &(PackedScorer, PackedScorer) {
        self.packed.0.get_or_init(|| {
            (
                PackedScorer::mean(&self.line_scorers),
                PackedScorer::mean(std::slice::from_ref(&self.context_scorer)),
            )
        })
    }

    /// Whether these stages read structure features.
    pub(crate) fn reads_structure(&self) -> bool {
        self.line_scorers
            .first()
            .is_some_and(|s| s.dim() == DIM + STRUCTURE_DIM)
    }

    /// Final per-line class log-probabilities of a page.
    pub(crate) fn log_probs(&self, page: &PageFeatures) -> Vec<[f32; K]> {
        let structure = self.reads_structure();
        let (line_scorers, context_scorer) = self.packed();
        let first = stacked::stage_one_packed(line_scorers, page);
        stacked::stage_two(context_scorer, page, &first, structure)
    }

    /// Checks the scorers' sizes (`html`: with structure features) and every number; errors
    /// name the field under `prefix`.
    fn check(&self, prefix: &str, html: bool) -> std::result::Result<(), String> {
        let (line_dim, context_dim) = if html {
            (DIM + STRUCTURE_DIM, HTML_STAGE_TWO_DIM)
        } else {
            (DIM, STAGE_TWO_DIM)
        };
        if self.line_scorers.is_empty() {
            return Err(format!("{prefix}no line scorer"));
        }
        for (k, scorer) in self.line_scorers.iter().enumerate() {
            check_scorer(&format!("{prefix}line_scorers[{k}]"), scorer, line_dim)?;
        }
        check_scorer(
            &format!("{prefix}context_scorer"),
            &self.context_scorer,
            context_dim,
        )?;
        let transitions = &self.transitions;
        check_magnitudes(
            &format!("{prefix}transitions.start"),
            &transitions.start,
            |c| format!("class {}", Class::from_index(c)),
        )?;
        for (a, row) in transitions.next.iter().enumerate() {
            check_magnitudes(&format!("{prefix}transitions.next[{a}]"), row, |b| {
                format!("{} after {}", Class::from_index(b), Class::from_index(a))
            })?;
        }
        let weight = transitions.weight;
        if !(0.0..=MAX_TRANSITION_WEIGHT).contains(&weight) {
            return Err(format!(
                "{prefix}transitions.weight is {}; it must be a number from 0 to {MAX_TRANSITION_WEIGHT}",
                show(weight)
            ));
        }
        Ok(())
    }
}

/// A trained model: two stages of multinomial logistic regression and a transition table, for
/// text lines, and optionally a second such set for HTML pages that also reads their structure.
///
/// The first stage scores each line from its own features (the mean of scorers trained on
/// disjoint halves of the corpus, so that training sees their out-of-fold behaviour, merged
/// into one scorer of their mean weights); the second
/// stage reads the dense line features and the first stage's probabilities of the lines around
/// it (`stacked`).
/// Viterbi decoding over class transitions then picks the page's class sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    format: String,
    format_version: u32,
    feature_version: u32,
    hash_bits: u32,
    dense_dim: usize,
    context_dim: usize,
    structure_dim: usize,
    classes: Vec<Class>,
    /// The stages for text lines (their fields sit at the top level of the file).
    #[serde(flatten)]
    pub(crate) text: Stages,
    /// The stages for HTML pages, reading structure features too; without them HTML pages are
    /// labeled by the text stages from their lines alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) html: Option<Stages>,
    /// What the model was trained on.
    pub training: TrainingSummary,
    /// Where the model came from: chaff's version, the corpus digest, focus, warm start and
    /// hyper-parameters.
    pub provenance: Provenance,
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    format_version: Option<u32>,
    feature_version: Option<u32>,
}

impl Model {
    /// Builds a model from its scorers; refuses scorers of the wrong size and numbers outside
    /// the bounds a model file may hold ([`MAX_SCORE_MAGNITUDE`], [`MAX_TRANSITION_WEIGHT`]).
    #[cfg(feature = "train")]
    pub(crate) fn new(
        line_scorers: Vec<Linear>,
        context_scorer: Linear,
        transitions: Transitions,
        training: TrainingSummary,
    ) -> Result<Model> {
        let model = Model {
            format: FORMAT_NAME.to_string(),
            format_version: FORMAT_VERSION,
            feature_version: FEATURE_VERSION,
            hash_bits: HASH_BITS,
            dense_dim: DENSE_DIM,
            context_dim: CONTEXT_DIM,
            structure_dim: STRUCTURE_DIM,
            classes: Class::ALL.to_vec(),
            text: Stages::new(line_scorers, context_scorer, transitions),
            html: None,
            training,
            provenance: Provenance::default(),
        };
        model.check().map_err(|message| Error::Model {
            path: NEW_MODEL_NAME.to_string(),
            message,
        })?;
        Ok(model)
    }

    /// The model with `html` as its HTML stages; refuses stages of the wrong size and numbers
    /// out of bounds, as `Model::new` does.
    #[cfg(feature = "train")]
    pub(crate) fn with_html(mut self, html: Stages) -> Result<Model> {
        html.check("html.", true).map_err(|message| Error::Model {
            path: NEW_MODEL_NAME.to_string(),
            message,
        })?;
        self.html = Some(html);
        Ok(self)
    }

    /// The model file compiled into this binary (`models/default.json`).
    pub fn builtin_json() -> &'static str {
        DEFAULT_MODEL
    }

    /// The model compiled into this binary.
    pub fn builtin() -> Model {
        Model::from_json(DEFAULT_MODEL, "<built-in>")
            .expect("the built-in model matches the binary")
    }

    /// Reads a model file, refusing corrupt files, files of another format or feature layout,
    /// and anything larger than 64 MiB (read no further than that, so a device or a pipe that
    /// never ends is refused too).
    pub fn load(path: &Path) -> Result<Model> {
        let name = path.display().to_string();
        let err = |message: String| Error::Model {
            path: name.clone(),
            message,
        };
        let mut bytes = Vec::new();
        File::open(path)
            .and_then(|file| file.take(MAX_MODEL_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| err(format!("cannot read: {e}")))?;
        if bytes.len() as u64 > MAX_MODEL_BYTES {
            return Err(err(format!(
                "larger than {MAX_MODEL_BYTES} bytes, not a chaff model"
            )));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            err(format!(
                "not a chaff model file (invalid UTF-8 at byte {})",
                e.utf8_error().valid_up_to()
            ))
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
            || model.structure_dim != STRUCTURE_DIM
        {
            return Err(err(format!(
                "feature sizes differ: model has {} dense, 2^{} hashed, {} context and {} structure features, this chaff {}, 2^{}, {} and {}",
                model.dense_dim, model.hash_bits, model.context_dim, model.structure_dim, DENSE_DIM, HASH_BITS, CONTEXT_DIM, STRUCTURE_DIM
            )));
        }
        if model.classes != Class::ALL {
            return Err(err(
                "class list differs from body, chrome, copyright, byline, related".into(),
            ));
        }
        model
            .check()
            .map_err(|message| err(format!("corrupt model file: {message}")))?;
        Ok(model)
    }

    /// Checks what the file format cannot: scorer sizes, and that every number is finite and
    /// within the bounds that keep labeling's scores finite. Returns what is wrong.
    fn check(&self) -> std::result::Result<(), String> {
        self.text.check("", false)?;
        if let Some(html) = &self.html {
            html.check("html.", true)?;
        }
        let alpha = self.training.alpha;
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(format!(
                "training.alpha is {}; it must be a finite number >= 0",
                show(alpha)
            ));
        }
        Ok(())
    }

    /// Serializes the model as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model always serializes")
    }

    /// Writes the model to a file.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_json()).map_err(|e| Error::io(path.display().to_string(), e))
    }

    /// The model's versions and sizes, as `chaff info` shows them.
    pub fn info(&self) -> ModelInfo {
        let count = |stages: &Stages| StagesInfo {
            line_scorers: stages.line_scorers.len(),
            features: stages.line_scorers.first().map_or(0, Linear::dim),
            context_features: stages.context_scorer.dim(),
            weights: stages
                .line_scorers
                .iter()
                .chain(std::iter::once(&stages.context_scorer))
                .map(|s| s.weights.len() + s.bias.len())
                .sum(),
        };
        let text = count(&self.text);
        let html = self.html.as_ref().map(count);
        ModelInfo {
            format_version: self.format_version,
            feature_version: self.feature_version,
            weights: text.weights + html.as_ref().map_or(0, |h| h.weights),
            text,
            html,
        }
    }

    /// Whether the model has stages for HTML pages that read their structure.
    pub fn reads_structure(&self) -> bool {
        self.html.is_some()
    }

    /// The stages that label a page: the HTML stages for a page with structure features (when
    /// the model has them), otherwise the text stages.
    pub(crate) fn stages_for(&self, page: &PageFeatures) -> &Stages {
        match &self.html {
            Some(html) if page.structure.is_some() => html,
            _ => &self.text,
        }
    }

    /// Final per-line class log-probabilities of a page.
    pub(crate) fn log_probs(&self, page: &PageFeatures) -> Vec<[f32; K]> {
        self.stages_for(page).log_probs(page)
    }
}

/// A model's versions and sizes ([`Model::info`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// The model file format version.
    pub format_version: u32,
    /// The feature layout version.
    pub feature_version: u32,
    /// Weights and biases in all stages.
    pub weights: usize,
    /// The text stages.
    pub text: StagesInfo,
    /// The HTML stages, when the model has them.
    pub html: Option<StagesInfo>,
}

/// The sizes of one set of stages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StagesInfo {
    /// First-stage scorers (merged into one for labeling).
    pub line_scorers: usize,
    /// Features a first-stage scorer reads per line.
    pub features: usize,
    /// Features the second-stage scorer reads per line.
    pub context_features: usize,
    /// Weights and biases of these stages.
    pub weights: usize,
}

/// Checks a scorer's size (`dim` features) and its weights and biases.
fn check_scorer(field: &str, scorer: &Linear, dim: usize) -> std::result::Result<(), String> {
    if scorer.weights.len() != dim * K {
        return Err(format!(
            "{field} has {} weights, expected {}",
            scorer.weights.len(),
            dim * K
        ));
    }
    check_magnitudes(&format!("{field}.weights"), &scorer.weights, |i| {
        format!("feature {}, class {}", i / K, Class::from_index(i % K))
    })?;
    check_magnitudes(&format!("{field}.bias"), &scorer.bias, |c| {
        format!("class {}", Class::from_index(c))
    })
}

/// Checks that every value is finite and within ±[`MAX_SCORE_MAGNITUDE`]; the error names
/// `field`, the index, what `meaning` says the index stands for, and the value.
fn check_magnitudes(
    field: &str,
    values: &[f32],
    meaning: impl Fn(usize) -> String,
) -> std::result::Result<(), String> {
    // NaN is in no range, so it is refused too.
    let allowed = -MAX_SCORE_MAGNITUDE..=MAX_SCORE_MAGNITUDE;
    match values.iter().position(|v| !allowed.contains(v)) {
        None => Ok(()),
        Some(i) => Err(format!(
            "{field}[{i}] ({}) is {}; it must be a finite number within ±{MAX_SCORE_MAGNITUDE}",
            meaning(i),
            show(values[i])
        )),
    }
}

/// A number as an error message shows it: scientific notation when plain digits would be long
/// (a value of 3e38 would otherwise print 39 digits), and why a number written in the file
/// shows as infinite.
fn show(v: f32) -> String {
    if v.is_infinite() {
        format!("{v} (beyond the range of 32-bit floats)")
    } else if v.abs() < 1e6 || v.is_nan() {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::linear::{log_softmax, softmax};
    use super::*;

    fn tiny() -> Model {
        let mut weights = vec![0.0; DIM * K];
        weights[3] = 0.5;
        let line = Linear {
            weights,
            bias: [0.1, 0.2, 0.3, 0.4, 0.5],
        };
        let context = Linear {
            weights: vec![0.25; (STAGE_TWO_DIM) * K],
            bias: [0.0; K],
        };
        Model::new(
            vec![line.clone(), line],
            context,
            Transitions::uniform(),
            TrainingSummary::default(),
        )
        .unwrap()
    }

    /// `tiny()`'s JSON with the number at `pointer` (a JSON pointer) replaced by `value`.
    fn tiny_json_with(pointer: &str, value: f64) -> String {
        let mut json: serde_json::Value = serde_json::from_str(&tiny().to_json()).unwrap();
        *json.pointer_mut(pointer).expect("the field exists") = value.into();
        json.to_string()
    }

    #[test]
    fn refuses_numbers_out_of_bounds_naming_field_index_and_value() {
        // Each of these was once accepted: infinite or negative transition weights reorder the
        // classes; weights of 3e38 overflow every score and print `null` probabilities.
        let cases = [
            (
                "/transitions/weight",
                1e39,
                "transitions.weight is inf (beyond the range of 32-bit floats)",
            ),
            ("/transitions/weight", -1.0, "transitions.weight is -1"),
            ("/transitions/weight", 1e4, "transitions.weight is 10000"),
            (
                "/transitions/start/2",
                -3e38,
                "transitions.start[2] (class copyright) is -3e38",
            ),
            (
                "/transitions/next/1/3",
                2e4,
                "transitions.next[1][3] (byline after chrome) is 20000",
            ),
            (
                "/line_scorers/1/weights/7",
                3e38,
                "line_scorers[1].weights[7] (feature 1, class copyright) is 3e38",
            ),
            (
                "/context_scorer/bias/4",
                -1e5,
                "context_scorer.bias[4] (class related) is -100000",
            ),
            ("/training/alpha", -0.5, "training.alpha is -0.5"),
        ];
        for (pointer, value, expected) in cases {
            let json = tiny_json_with(pointer, value);
            let err = match Model::from_json(&json, "bad.json") {
                Ok(_) => panic!("{pointer} = {value} was accepted"),
                Err(e) => e.to_string(),
            };
            assert!(
                err.starts_with("model bad.json: corrupt model file: ") && err.contains(expected),
                "{pointer} = {value}: {err}"
            );
        }
    }

    #[test]
    fn accepts_numbers_at_the_bounds_and_labels_with_finite_probabilities() {
        let mut json: serde_json::Value = serde_json::from_str(&tiny().to_json()).unwrap();
        let bound = f64::from(MAX_SCORE_MAGNITUDE);
        let alternating = |n: usize| -> Vec<f64> {
            (0..n)
                .map(|i| if i % 3 == 0 { -bound } else { bound })
                .collect()
        };
        json["line_scorers"][0]["weights"] = alternating(DIM * K).into();
        json["line_scorers"][1]["weights"] = vec![bound; DIM * K].into();
        json["context_scorer"]["weights"] = alternating((STAGE_TWO_DIM) * K).into();
        json["transitions"]["start"] = alternating(K).into();
        json["transitions"]["next"] = vec![alternating(K); K].into();
        json["transitions"]["weight"] = f64::from(MAX_TRANSITION_WEIGHT).into();
        let model = Model::from_json(&json.to_string(), "edge.json").unwrap();
        let long_line = "Seoul 서울 http://a.kr x@y.kr 2023 ".repeat(2000);
        let page = ["Headline", long_line.as_str(), "", "Copyright ©", "▶"];
        let labels = crate::Labeler::new(model).label(&page);
        for label in labels {
            assert!(label.probs.iter().all(|p| p.is_finite()), "{label:?}");
            let total: f32 = label.probs.iter().sum();
            assert!((total - 1.0).abs() < 1e-3, "{label:?}");
        }
    }

    #[test]
    fn log_probabilities_are_finite_whatever_the_scores() {
        // Scores that overflowed (inf - inf) once turned every probability into NaN.
        let s = log_softmax([f32::INFINITY, f32::NAN, f32::NEG_INFINITY, 3e38, -3e38]);
        assert!(s.iter().all(|v| v.is_finite()), "{s:?}");
        assert!(s[0] > -1.0, "{s:?}");
    }

    #[test]
    fn new_refuses_bad_scorers_instead_of_panicking() {
        let m = tiny();
        let short = Linear {
            weights: vec![0.0; 3],
            bias: [0.0; K],
        };
        let err = Model::new(
            vec![short],
            m.text.context_scorer.clone(),
            Transitions::uniform(),
            TrainingSummary::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line_scorers[0] has 3 weights"), "{err}");
        let err = Model::new(
            Vec::new(),
            m.text.context_scorer.clone(),
            Transitions::uniform(),
            TrainingSummary::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no line scorer"), "{err}");
        let mut infinite = Transitions::uniform();
        infinite.weight = f32::INFINITY;
        let err = Model::new(
            m.text.line_scorers.clone(),
            m.text.context_scorer.clone(),
            infinite,
            TrainingSummary::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("transitions.weight is inf"), "{err}");
    }

    #[test]
    fn load_stops_reading_at_the_size_cap() {
        let cap = format!("larger than {MAX_MODEL_BYTES} bytes, not a chaff model");
        // A device that never ends once read until memory ran out.
        let err = Model::load(Path::new("/dev/zero")).unwrap_err().to_string();
        assert_eq!(err, format!("model /dev/zero: {cap}"));
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        File::create(&big)
            .unwrap()
            .set_len(MAX_MODEL_BYTES + 1)
            .unwrap();
        let err = Model::load(&big).unwrap_err().to_string();
        assert!(err.ends_with(&cap), "{err}");
    }

    #[test]
    fn load_stops_reading_an_endless_pipe_at_the_size_cap() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("model.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("no mkfifo here: skipped");
            return;
        }
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                use std::io::Write;
                let mut pipe = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
                let block = vec![b' '; 1 << 16];
                // Writes until the reader closes its end (a broken pipe error).
                while pipe.write_all(&block).is_ok() {}
            })
        };
        let err = Model::load(&fifo).unwrap_err().to_string();
        assert!(err.ends_with("not a chaff model"), "{err}");
        writer.join().unwrap();
    }

    #[test]
    fn load_names_a_file_that_is_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.json");
        std::fs::write(&path, b"{\"format\": \"caf\xe9\"}").unwrap();
        let err = Model::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("latin1.json") && err.contains("invalid UTF-8 at byte 15"),
            "{err}"
        );
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
        for scores in [
            [1.0, 2.0, 3.0, 0.0, -1.0],
            [f32::NAN, 1e38, -1e38, 0.0, 5.0],
        ] {
            let p = softmax(scores);
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{p:?}");
            let q = log_softmax(scores).map(f32::exp);
            assert!(
                p.iter().zip(&q).all(|(a, b)| (a - b).abs() < 1e-6),
                "{p:?} {q:?}"
            );
        }
    }
}
