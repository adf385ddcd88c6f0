//! Training: hyper-parameters checked in a `Params` type, then a linfa multinomial logistic
//! regression over the line features, and class transitions counted from the gold sequences.

use std::time::Instant;

use linfa::prelude::*;
use linfa::ParamGuard;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};

use crate::class::Class;
use crate::decode::Transitions;
use crate::error::{Error, Result};
use crate::features::{self, DIM};
use crate::labeled::LabeledPage;
use crate::language::PageLanguage;
use crate::model::{Model, TrainingSummary};

const K: usize = Class::COUNT;

/// Training hyper-parameters, unchecked. Call [`ParamGuard::check`] to validate them.
///
/// ```
/// use chaff::train::TrainParams;
/// use linfa::ParamGuard;
/// assert!(TrainParams::default().alpha(-1.0).check().is_err());
/// assert!(TrainParams::default().check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams(ValidTrainParams);

/// Checked training hyper-parameters; [`ValidTrainParams::fit`] trains a model.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTrainParams {
    alpha: f32,
    max_iterations: u64,
    transition_weight: f32,
    seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams(ValidTrainParams {
            alpha: 1.0,
            max_iterations: 100,
            transition_weight: 0.6,
            seed: 0,
        })
    }
}

impl TrainParams {
    /// L2 penalty of the logistic regression (>= 0).
    pub fn alpha(mut self, alpha: f32) -> Self {
        self.0.alpha = alpha;
        self
    }

    /// Iteration cap of the L-BFGS optimizer (> 0).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.0.max_iterations = n;
        self
    }

    /// Weight of the transition scores against the per-line scores in decoding (>= 0).
    pub fn transition_weight(mut self, w: f32) -> Self {
        self.0.transition_weight = w;
        self
    }

    /// Seed recorded in the model; training itself is deterministic.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
}

impl ParamGuard for TrainParams {
    type Checked = ValidTrainParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&ValidTrainParams> {
        let p = &self.0;
        if !(p.alpha.is_finite() && p.alpha >= 0.0) {
            return Err(Error::Train(format!("alpha must be >= 0, got {}", p.alpha)));
        }
        if p.max_iterations == 0 {
            return Err(Error::Train("max_iterations must be > 0".into()));
        }
        if !(p.transition_weight.is_finite() && p.transition_weight >= 0.0) {
            return Err(Error::Train(format!(
                "transition weight must be >= 0, got {}",
                p.transition_weight
            )));
        }
        Ok(p)
    }

    fn check(self) -> Result<ValidTrainParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// The feature matrix and gold classes of a set of pages.
pub struct TrainingSet {
    /// One row of [`features::DIM`] features per line.
    pub records: Array2<f32>,
    /// Gold class index per line.
    pub targets: Array1<usize>,
}

/// Builds the feature matrix of labeled pages, with languages computed as at labeling time.
pub fn training_set(pages: &[LabeledPage]) -> TrainingSet {
    let n: usize = pages.iter().map(|p| p.lines.len()).sum();
    let mut records = Array2::<f32>::zeros((n, DIM));
    let mut targets = Array1::<usize>::zeros(n);
    let mut row = 0;
    for page in pages {
        let texts = page.texts();
        let lang = PageLanguage::estimate(&texts);
        let langs: Vec<&str> = texts.iter().map(|t| lang.line_language(t)).collect();
        let feats = features::extract(&texts, &lang, &langs);
        for (i, line) in page.lines.iter().enumerate() {
            let mut r = records.row_mut(row);
            feats.write_dense_row(i, r.as_slice_mut().expect("rows are contiguous"));
            targets[row] = line.class.index();
            row += 1;
        }
    }
    TrainingSet { records, targets }
}

impl ValidTrainParams {
    /// Trains a model on labeled pages.
    pub fn fit(&self, pages: &[LabeledPage]) -> Result<Model> {
        let set = training_set(pages);
        if set.targets.is_empty() {
            return Err(Error::Train("the corpus has no labeled lines".into()));
        }
        let mut lines_per_class = [0usize; K];
        set.targets.iter().for_each(|&c| lines_per_class[c] += 1);
        if lines_per_class.iter().filter(|&&c| c > 0).count() < 2 {
            return Err(Error::Train(
                "the corpus needs lines of at least two classes".into(),
            ));
        }
        let dataset = Dataset::new(set.records, set.targets);
        let fitted = MultiLogisticRegression::<f32>::default()
            .alpha(self.alpha)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(1e-3)
            .fit(&dataset)
            .map_err(|e| Error::Train(format!("logistic regression failed: {e}")))?;

        // linfa orders its columns by the classes it saw; absent classes get no probability.
        let mut weights = vec![0.0f32; DIM * K];
        let mut bias = [-30.0f32; K];
        for (col, &class) in fitted.classes().iter().enumerate() {
            bias[class] = fitted.intercept()[col];
            for f in 0..DIM {
                weights[f * K + class] = fitted.params()[[f, col]];
            }
        }
        let gold: Vec<Vec<Class>> = pages.iter().map(|p| p.classes()).collect();
        let transitions =
            Transitions::estimate(gold.iter().map(|g| g.as_slice()), self.transition_weight);
        Ok(Model::new(
            weights,
            bias,
            transitions,
            TrainingSummary {
                pages: pages.len(),
                lines_per_class,
                alpha: self.alpha,
                max_iterations: self.max_iterations,
                seed: self.seed,
            },
        ))
    }
}

/// Trains with `params` and reports how long it took.
pub fn fit_timed(params: &ValidTrainParams, pages: &[LabeledPage]) -> Result<(Model, f64)> {
    let start = Instant::now();
    let model = params.fit(pages)?;
    Ok((model, start.elapsed().as_secs_f64()))
}
