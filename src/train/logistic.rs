//! Multinomial logistic regression on sparse rows: the loss and gradient of linfa-logistic's
//! `MultiLogisticRegression`, computed over the non-zero features of each row only, minimized
//! by the same solver (argmin's L-BFGS with a Moré–Thuente line search).
//!
//! The training rows of chaff are mostly zeros (about 52 of 436 features a line are set; the
//! hashed buckets are one-hot), so a dense `X·W` spends nearly all its time multiplying zeros.
//! Here rows are held as CSR ([`SparseRows`]), and the loss and gradient are summed row by
//! row, in row order, in `f64`: the result depends only on the data, never on thread timing.
//!
//! Conventions follow linfa-logistic 0.8: the loss is
//! `-Σ log softmax(x·W + b)[y] + alpha/2 · ‖W‖²` (a sum over rows, not a mean; the bias is not
//! penalized; with a [`prior`](LogisticParams::prior), `alpha/2 · ‖W − W₀‖²`: fine-tuning that
//! keeps the weights near a previous scorer's), the parameters are fitted for the classes present in the targets only (an absent
//! class gets no weights and a bias of [`ABSENT_CLASS_BIAS`]), L-BFGS keeps 10 corrections, and
//! fitting stops at the iteration cap, when the gradient's L2 norm falls below the gradient
//! tolerance, or when the loss changes by less than `f64::EPSILON`; the parameters of lowest
//! loss seen are returned. Hyper-parameters are checked in [`LogisticParams`] (linfa's
//! [`ParamGuard`]); [`Fit`] fits from zeros and [`FitWith`] from a previous scorer (a warm start).

use std::cell::RefCell;

use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use linfa::dataset::{DatasetBase, Records};
use linfa::traits::{Fit, FitWith};
use linfa::ParamGuard;
use ndarray::Array1;

use crate::class::Class;
use crate::model::Linear;

const K: usize = Class::COUNT;

/// Bias of a class that no training row has: its probability is about `e^-30` of the others'.
pub const ABSENT_CLASS_BIAS: f32 = -30.0;

/// Feature rows in compressed sparse row form: row `i`'s non-zero values are
/// `values[indptr[i]..indptr[i + 1]]`, in the columns `indices[..]` of the same range.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SparseRows {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
    ncols: usize,
}

impl SparseRows {
    /// No rows, `ncols` columns.
    pub fn new(ncols: usize) -> Self {
        SparseRows {
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
            ncols,
        }
    }

    /// Appends a row given densely (`ncols` values); its zeros are not stored.
    pub fn push_dense(&mut self, row: &[f32]) {
        assert_eq!(row.len(), self.ncols, "a row has one value per column");
        for (col, &v) in row.iter().enumerate() {
            if v != 0.0 {
                self.indices.push(col as u32);
                self.values.push(v);
            }
        }
        self.indptr.push(self.indices.len());
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// Number of stored (non-zero) values.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// Row `i`: its columns and values.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let range = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[range.clone()], &self.values[range])
    }

    /// Row `i` written out densely.
    pub fn dense_row(&self, i: usize) -> Vec<f32> {
        let mut out = vec![0.0; self.ncols];
        let (cols, values) = self.row(i);
        for (&c, &v) in cols.iter().zip(values) {
            out[c as usize] = v;
        }
        out
    }

    /// The rows `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> SparseRows {
        let nnz = rows
            .iter()
            .map(|&i| self.indptr[i + 1] - self.indptr[i])
            .sum();
        let mut out = SparseRows::new(self.ncols);
        out.indptr.reserve(rows.len());
        out.indices.reserve(nnz);
        out.values.reserve(nnz);
        for &i in rows {
            let (cols, values) = self.row(i);
            out.indices.extend_from_slice(cols);
            out.values.extend_from_slice(values);
            out.indptr.push(out.indices.len());
        }
        out
    }
}

impl Records for SparseRows {
    type Elem = f32;

    fn nsamples(&self) -> usize {
        self.nrows()
    }

    fn nfeatures(&self) -> usize {
        self.ncols
    }
}

/// Why a fit failed.
#[derive(Debug, thiserror::Error)]
pub enum LogisticError {
    /// A hyper-parameter out of its range.
    #[error("invalid logistic regression parameter: {0}")]
    InvalidParams(String),
    /// Records and targets that do not fit together.
    #[error("invalid training data: {0}")]
    InvalidData(String),
    /// The optimizer stopped with an error.
    #[error("the optimizer failed: {0}")]
    Solver(String),
    /// An error of linfa's.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
}

/// Hyper-parameters of the sparse logistic regression, unchecked; [`ParamGuard::check`] gives
/// [`ValidLogisticParams`].
///
/// ```
/// use chaff::train::logistic::LogisticParams;
/// use linfa::ParamGuard;
/// assert!(LogisticParams::default().alpha(-1.0).check().is_err());
/// assert!(LogisticParams::default().max_iterations(0).check().is_err());
/// assert!(LogisticParams::default().check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticParams(ValidLogisticParams);

/// Checked hyper-parameters of the sparse logistic regression.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLogisticParams {
    alpha: f64,
    max_iterations: u64,
    gradient_tolerance: f64,
    memory: usize,
    prior: Option<Linear>,
    anchor: Option<Anchor>,
}

/// Rows that stand for a larger set they were sampled from, whose optimum is the
/// [`prior`](LogisticParams::prior): the first `rows` rows of the data each count `scale`
/// times, and their summed gradient at the prior is subtracted from the loss's, so that at the
/// prior they pull nowhere and away from it they resist as (about) the whole set would. The
/// other rows (a few new pages) then move the weights about as retraining on the whole set with
/// them would, for the price of the sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    /// How many of the first rows are the sample.
    pub rows: usize,
    /// How many times each of them counts (> 0): the set's size over the sample's.
    pub scale: f64,
}

impl Default for LogisticParams {
    /// `alpha` 1, 100 iterations, gradient tolerance 1e-3, 10 L-BFGS corrections.
    fn default() -> Self {
        LogisticParams(ValidLogisticParams {
            alpha: 1.0,
            max_iterations: 100,
            gradient_tolerance: 1e-3,
            memory: 10,
            prior: None,
            anchor: None,
        })
    }
}

impl LogisticParams {
    /// L2 penalty on the weights (not the bias), as linfa-logistic's `alpha` (>= 0).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.alpha = alpha;
        self
    }

    /// Iteration cap of L-BFGS (> 0).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.0.max_iterations = n;
        self
    }

    /// Fitting stops once the gradient's L2 norm is below this (> 0).
    pub fn gradient_tolerance(mut self, tolerance: f64) -> Self {
        self.0.gradient_tolerance = tolerance;
        self
    }

    /// Corrections L-BFGS keeps (> 0).
    pub fn memory(mut self, m: usize) -> Self {
        self.0.memory = m;
        self
    }

    /// Centres the L2 penalty on these weights instead of zero: `alpha/2 · ‖W − W₀‖²`, the
    /// Gaussian prior of fine-tuning, so that a few new rows move only the weights they need.
    /// Its weights must be finite, and it must read as many features as the rows have (checked
    /// when fitting).
    pub fn prior(mut self, prior: Option<Linear>) -> Self {
        self.0.prior = prior;
        self
    }

    /// Anchors the first rows to the prior ([`Anchor`]); needs a prior. At most as many rows
    /// as the data has (checked when fitting).
    pub fn anchor(mut self, anchor: Option<Anchor>) -> Self {
        self.0.anchor = anchor;
        self
    }
}

impl ParamGuard for LogisticParams {
    type Checked = ValidLogisticParams;
    type Error = LogisticError;

    fn check_ref(&self) -> Result<&ValidLogisticParams, LogisticError> {
        let p = &self.0;
        if !(p.alpha.is_finite() && p.alpha >= 0.0) {
            return Err(LogisticError::InvalidParams(format!(
                "alpha must be >= 0, got {}",
                p.alpha
            )));
        }
        if p.max_iterations == 0 {
            return Err(LogisticError::InvalidParams(
                "max_iterations must be > 0".into(),
            ));
        }
        if !(p.gradient_tolerance.is_finite() && p.gradient_tolerance > 0.0) {
            return Err(LogisticError::InvalidParams(format!(
                "gradient tolerance must be > 0, got {}",
                p.gradient_tolerance
            )));
        }
        if p.memory == 0 {
            return Err(LogisticError::InvalidParams(
                "the L-BFGS memory must be > 0".into(),
            ));
        }
        if let Some(prior) = &p.prior {
            if prior.weights.len() % K != 0 {
                return Err(LogisticError::InvalidParams(format!(
                    "the prior holds {} weights, not a multiple of {K} classes",
                    prior.weights.len()
                )));
            }
            if !prior
                .weights
                .iter()
                .chain(&prior.bias)
                .all(|v| v.is_finite())
            {
                return Err(LogisticError::InvalidParams(
                    "the prior holds a NaN or infinite weight".into(),
                ));
            }
        }
        if let Some(anchor) = &p.anchor {
            if p.prior.is_none() {
                return Err(LogisticError::InvalidParams(
                    "anchored rows need a prior to be anchored to".into(),
                ));
            }
            if !(anchor.scale.is_finite() && anchor.scale > 0.0) {
                return Err(LogisticError::InvalidParams(format!(
                    "the anchored rows' scale must be > 0, got {}",
                    anchor.scale
                )));
            }
        }
        Ok(p)
    }

    fn check(self) -> Result<ValidLogisticParams, LogisticError> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// Training rows and their gold class indices (each below [`Class::COUNT`]).
pub type SparseDataset = DatasetBase<SparseRows, Array1<usize>>;

impl Fit<SparseRows, Array1<usize>, LogisticError> for ValidLogisticParams {
    type Object = Linear;

    /// Fits a scorer from zero weights.
    fn fit(&self, dataset: &SparseDataset) -> Result<Linear, LogisticError> {
        self.fit_with(None, dataset)
    }
}

impl<'a> FitWith<'a, SparseRows, Array1<usize>, LogisticError> for ValidLogisticParams {
    type ObjectIn = Option<&'a Linear>;
    type ObjectOut = Linear;

    /// Fits a scorer starting from `start`'s weights (a warm start) when it reads as many
    /// features as the rows have, from zeros otherwise.
    fn fit_with(
        &self,
        start: Option<&'a Linear>,
        dataset: &'a SparseDataset,
    ) -> Result<Linear, LogisticError> {
        let x = dataset.records();
        let y = dataset.targets();
        if x.nrows() != y.len() {
            return Err(LogisticError::InvalidData(format!(
                "{} rows but {} targets",
                x.nrows(),
                y.len()
            )));
        }
        if let Some(&c) = y.iter().find(|&&c| c >= K) {
            return Err(LogisticError::InvalidData(format!(
                "class index {c} is not below {K}"
            )));
        }
        if x.values.iter().any(|v| !v.is_finite()) {
            return Err(LogisticError::InvalidData(
                "the records hold a NaN or infinite value".into(),
            ));
        }
        // The columns of the fit are the classes present, in order, as linfa-logistic's.
        let mut present = [false; K];
        y.iter().for_each(|&c| present[c] = true);
        // With a prior, the classes it scores are fitted too: rows that lack a class (a few
        // new pages) leave it as the prior has it rather than dropping it.
        if let Some(prior) = &self.prior {
            for (c, &b) in prior.bias.iter().enumerate() {
                present[c] |= b != ABSENT_CLASS_BIAS;
            }
        }
        let classes: Vec<usize> = (0..K).filter(|&c| present[c]).collect();
        let mut column = [usize::MAX; K];
        classes.iter().enumerate().for_each(|(j, &c)| column[c] = j);
        let d = x.ncols();
        let kp = classes.len();
        let center = match &self.prior {
            None => None,
            Some(prior) if prior.dim() != d => {
                return Err(LogisticError::InvalidData(format!(
                    "the prior reads {} features, the rows have {d}",
                    prior.dim()
                )))
            }
            Some(prior) => {
                let mut center = vec![0.0f64; (d + 1) * kp];
                for (j, &c) in classes.iter().enumerate() {
                    for f in 0..d {
                        center[f * kp + j] = f64::from(prior.weights[f * K + c]);
                    }
                    center[d * kp + j] = f64::from(prior.bias[c]);
                }
                Some(center)
            }
        };
        let anchor = self.anchor.unwrap_or(Anchor {
            rows: 0,
            scale: 1.0,
        });
        if anchor.rows > x.nrows() {
            return Err(LogisticError::InvalidData(format!(
                "{} anchored rows of {}",
                anchor.rows,
                x.nrows()
            )));
        }
        let targets: Vec<u8> = y.iter().map(|&c| column[c] as u8).collect();
        // The anchored rows' gradient at the prior, subtracted from every evaluation's.
        let offset = match (&center, self.anchor) {
            (Some(center), Some(anchor)) if anchor.rows > 0 => {
                let rows: Vec<usize> = (0..anchor.rows).collect();
                let terms = Terms {
                    alpha: 0.0,
                    center: None,
                    scaled_rows: anchor.rows,
                    scale: anchor.scale,
                    offset: None,
                };
                let (_, grad) = loss_and_gradient(
                    &x.select(&rows),
                    &targets[..anchor.rows],
                    kp,
                    center,
                    &terms,
                );
                Some(grad)
            }
            _ => None,
        };
        let problem = Problem {
            x,
            y: targets,
            k: classes.len(),
            alpha: self.alpha,
            center,
            anchor,
            offset,
            last: RefCell::new(None),
        };
        let mut init = Array1::<f64>::zeros((d + 1) * kp);
        if let Some(start) = start.filter(|s| s.dim() == d) {
            for (j, &c) in classes.iter().enumerate() {
                for f in 0..d {
                    init[f * kp + j] = f64::from(start.weights[f * K + c]);
                }
                init[d * kp + j] = f64::from(start.bias[c]);
            }
        }
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), self.memory)
            .with_tolerance_grad(self.gradient_tolerance)
            .map_err(|e| LogisticError::InvalidParams(e.to_string()))?;
        let result = Executor::new(problem, solver)
            .configure(|state| state.param(init.clone()).max_iters(self.max_iterations))
            .run()
            .map_err(|e| LogisticError::Solver(e.to_string()))?;
        let params = result.state.best_param.unwrap_or(init);

        let mut weights = vec![0.0f32; d * K];
        let mut bias = [ABSENT_CLASS_BIAS; K];
        for (j, &c) in classes.iter().enumerate() {
            bias[c] = params[d * kp + j] as f32;
            for f in 0..d {
                weights[f * K + c] = params[f * kp + j] as f32;
            }
        }
        Ok(Linear { weights, bias })
    }
}

/// The objective handed to argmin: parameters are `w[f * k + j]` for feature `f` and fitted
/// class `j`, then the `k` biases.
struct Problem<'a> {
    x: &'a SparseRows,
    /// Fitted class (column) of each row.
    y: Vec<u8>,
    /// Number of fitted classes.
    k: usize,
    alpha: f64,
    /// Where the penalty is centred (all parameters, biases too, laid out as the parameters);
    /// if none, the weights are penalized towards zero and the biases not at all.
    center: Option<Vec<f64>>,
    /// Rows that count more (none: `rows` 0).
    anchor: Anchor,
    /// Subtracted from the gradient (and `offset·w` from the loss): the anchored rows'
    /// gradient at the prior.
    offset: Option<Vec<f64>>,
    /// The last parameters evaluated, with their loss and gradient: the line search asks for
    /// the loss and then the gradient at each point it tries, and L-BFGS asks again for the
    /// gradient of the point it accepts, so one pass over the rows serves all three.
    last: RefCell<Option<Evaluation>>,
}

/// Parameters, the loss there and the gradient there.
type Evaluation = (Array1<f64>, f64, Array1<f64>);

impl Problem<'_> {
    /// Loss and gradient at `w`, from the cache when `w` was the last point evaluated.
    fn evaluate(&self, w: &Array1<f64>) -> (f64, Array1<f64>) {
        if let Some((at, loss, grad)) = self.last.borrow().as_ref() {
            if at == w {
                return (*loss, grad.clone());
            }
        }
        let terms = Terms {
            alpha: self.alpha,
            center: self.center.as_deref(),
            scaled_rows: self.anchor.rows,
            scale: self.anchor.scale,
            offset: self.offset.as_deref(),
        };
        let (loss, grad) = loss_and_gradient(
            self.x,
            &self.y,
            self.k,
            w.as_slice().expect("parameters are contiguous"),
            &terms,
        );
        let grad = Array1::from(grad);
        *self.last.borrow_mut() = Some((w.clone(), loss, grad.clone()));
        (loss, grad)
    }
}

impl CostFunction for Problem<'_> {
    type Param = Array1<f64>;
    type Output = f64;

    fn cost(&self, w: &Array1<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.evaluate(w).0)
    }
}

impl Gradient for Problem<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, w: &Array1<f64>) -> Result<Array1<f64>, argmin::core::Error> {
        Ok(self.evaluate(w).1)
    }
}

/// What the loss adds to the rows' log-loss: the penalty, row weights and a linear term.
pub(crate) struct Terms<'a> {
    /// Strength of the L2 penalty.
    pub(crate) alpha: f64,
    /// Where the penalty is centred: as many values as parameters, laid out alike; it then
    /// covers the biases too. `None`: the weights towards zero, the biases free.
    pub(crate) center: Option<&'a [f64]>,
    /// The first `scaled_rows` rows count `scale` times each.
    pub(crate) scaled_rows: usize,
    pub(crate) scale: f64,
    /// Subtracted from the gradient (`offset·w` from the loss).
    pub(crate) offset: Option<&'a [f64]>,
}

impl Terms<'_> {
    /// The plain L2 penalty of strength `alpha` on the weights.
    #[cfg(test)]
    fn plain(alpha: f64) -> Terms<'static> {
        Terms {
            alpha,
            center: None,
            scaled_rows: 0,
            scale: 1.0,
            offset: None,
        }
    }
}

/// The loss `-Σ log softmax(x·W + b)[y] + alpha/2 · ‖W‖²` and its gradient
/// `Xᵀ(P − Y) + alpha·W` (bias: `Σ (P − Y)`), over the non-zero values of each row, summed in
/// row order. `w` holds `(ncols + 1) * k` parameters: weights `w[f * k + j]`, then the biases.
/// [`Terms`] may centre the penalty elsewhere (over every parameter, biases included), weigh
/// the first rows more and subtract a linear term.
pub(crate) fn loss_and_gradient(
    x: &SparseRows,
    y: &[u8],
    k: usize,
    w: &[f64],
    terms: &Terms<'_>,
) -> (f64, Vec<f64>) {
    // The class count is a constant of each instance, so that the loops over classes unroll.
    let (mut loss, mut grad) = match k {
        1 => loss_and_gradient_k::<1>(x, y, w, terms),
        2 => loss_and_gradient_k::<2>(x, y, w, terms),
        3 => loss_and_gradient_k::<3>(x, y, w, terms),
        4 => loss_and_gradient_k::<4>(x, y, w, terms),
        5 => loss_and_gradient_k::<5>(x, y, w, terms),
        _ => panic!("between 1 and {K} fitted classes, got {k}"),
    };
    if let Some(offset) = terms.offset {
        assert_eq!(offset.len(), w.len(), "one offset per parameter");
        for ((g, &o), &wf) in grad.iter_mut().zip(offset).zip(w) {
            *g -= o;
            loss -= o * wf;
        }
    }
    (loss, grad)
}

/// [`loss_and_gradient`] for `KP` fitted classes.
fn loss_and_gradient_k<const KP: usize>(
    x: &SparseRows,
    y: &[u8],
    w: &[f64],
    terms: &Terms<'_>,
) -> (f64, Vec<f64>) {
    let alpha = terms.alpha;
    let center = terms.center;
    let d = x.ncols();
    assert!(w.len() == (d + 1) * KP && y.len() == x.nrows());
    let (weights, bias) = w.split_at(d * KP);
    let mut grad = vec![0.0f64; w.len()];
    let (grad_w, grad_b) = grad.split_at_mut(d * KP);
    let mut loss = 0.0f64;
    for (i, &target) in y.iter().enumerate() {
        let (cols, values) = x.row(i);
        let mut z = [0.0f64; KP];
        z.copy_from_slice(bias);
        for (&c, &v) in cols.iter().zip(values) {
            let v = f64::from(v);
            let row = &weights[c as usize * KP..c as usize * KP + KP];
            for j in 0..KP {
                z[j] += v * row[j];
            }
        }
        let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let mut sum = 0.0;
        let mut p = [0.0f64; KP];
        for j in 0..KP {
            p[j] = (z[j] - max).exp();
            sum += p[j];
        }
        let log_sum = max + sum.ln();
        let weight = if i < terms.scaled_rows {
            terms.scale
        } else {
            1.0
        };
        loss += weight * (log_sum - z[target as usize]);
        // P − Y, the gradient of this row's loss with respect to its scores.
        p.iter_mut().for_each(|v| *v = *v / sum * weight);
        p[target as usize] -= weight;
        for j in 0..KP {
            grad_b[j] += p[j];
        }
        for (&c, &v) in cols.iter().zip(values) {
            let v = f64::from(v);
            let row = &mut grad_w[c as usize * KP..c as usize * KP + KP];
            for j in 0..KP {
                row[j] += v * p[j];
            }
        }
    }
    let mut penalty = 0.0;
    match center {
        None => {
            for (g, &wf) in grad_w.iter_mut().zip(weights) {
                penalty += wf * wf;
                *g += alpha * wf;
            }
        }
        Some(center) => {
            // A prior ties the biases too: a few rows must not shift every class's base rate.
            assert_eq!(center.len(), w.len(), "one centre per parameter");
            for ((g, &wf), &c) in grad.iter_mut().zip(w).zip(center) {
                let delta = wf - c;
                penalty += delta * delta;
                *g += alpha * delta;
            }
        }
    }
    (loss + 0.5 * alpha * penalty, grad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::DatasetBase as Dataset;

    /// A small deterministic pseudo-random generator (xorshift), uniform in [0, 1).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// `n` random sparse rows of `d` columns (about a third set), classes from a random linear
    /// rule over `k` classes.
    fn random_problem(n: usize, d: usize, k: usize, seed: u64) -> (SparseRows, Vec<u8>) {
        let mut rng = Rng(seed);
        let truth: Vec<f64> = (0..d * k).map(|_| rng.next() * 4.0 - 2.0).collect();
        let mut x = SparseRows::new(d);
        let mut y = Vec::new();
        for _ in 0..n {
            let row: Vec<f32> = (0..d)
                .map(|_| {
                    if rng.next() < 0.35 {
                        (rng.next() * 2.0 - 0.5) as f32
                    } else {
                        0.0
                    }
                })
                .collect();
            let scores: Vec<f64> = (0..k)
                .map(|j| (0..d).map(|f| f64::from(row[f]) * truth[f * k + j]).sum())
                .collect();
            let best = (0..k)
                .max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
                .unwrap();
            x.push_dense(&row);
            y.push(best as u8);
        }
        (x, y)
    }

    fn dataset(x: SparseRows, y: &[u8]) -> SparseDataset {
        Dataset::new(x, y.iter().map(|&c| c as usize).collect::<Array1<usize>>())
    }

    fn accuracy(model: &Linear, data: &SparseDataset) -> f64 {
        let x = data.records();
        let right = (0..x.nrows())
            .filter(|&i| {
                let p = model.row_scores(&x.dense_row(i));
                let best = (0..K).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
                best == data.targets()[i]
            })
            .count();
        right as f64 / x.nrows() as f64
    }

    #[test]
    fn sparse_rows_keep_only_non_zeros_and_select_rows() {
        let mut x = SparseRows::new(4);
        x.push_dense(&[0.0, 1.5, 0.0, -2.0]);
        x.push_dense(&[0.0, 0.0, 0.0, 0.0]);
        x.push_dense(&[3.0, 0.0, 0.0, 0.0]);
        assert_eq!((x.nrows(), x.ncols(), x.nnz()), (3, 4, 3));
        assert_eq!(x.row(0), (&[1u32, 3][..], &[1.5f32, -2.0][..]));
        assert_eq!(x.row(1).0.len(), 0);
        let picked = x.select(&[2, 0]);
        assert_eq!(picked.dense_row(0), [3.0, 0.0, 0.0, 0.0]);
        assert_eq!(picked.dense_row(1), [0.0, 1.5, 0.0, -2.0]);
    }

    #[test]
    fn the_gradient_matches_finite_differences() {
        let (d, k) = (7, 4);
        let (x, y) = random_problem(40, d, k, 7);
        let mut rng = Rng(99);
        let w: Vec<f64> = (0..(d + 1) * k).map(|_| rng.next() - 0.5).collect();
        let center: Vec<f64> = (0..(d + 1) * k).map(|_| rng.next() * 2.0 - 1.0).collect();
        let alpha = 0.7;
        // With the penalty centred on zero and on other weights (a prior).
        for center in [None, Some(center.as_slice())] {
            let terms = Terms {
                alpha,
                center,
                scaled_rows: 15,
                scale: if center.is_some() { 2.5 } else { 1.0 },
                offset: center,
            };
            let (loss, grad) = loss_and_gradient(&x, &y, k, &w, &terms);
            assert!(loss.is_finite());
            let h = 1e-6;
            for i in 0..w.len() {
                let mut plus = w.clone();
                plus[i] += h;
                let mut minus = w.clone();
                minus[i] -= h;
                let numeric = (loss_and_gradient(&x, &y, k, &plus, &terms).0
                    - loss_and_gradient(&x, &y, k, &minus, &terms).0)
                    / (2.0 * h);
                assert!(
                    (numeric - grad[i]).abs() <= 1e-5 * (1.0 + numeric.abs()),
                    "parameter {i}: analytic {} numeric {numeric}",
                    grad[i]
                );
            }
        }
    }

    #[test]
    fn a_prior_keeps_the_weights_near_it() {
        let (x, y) = random_problem(300, 10, K, 29);
        let data = dataset(x, &y);
        let solution = LogisticParams::default()
            .alpha(0.1)
            .max_iterations(100)
            .check()
            .unwrap()
            .fit(&data)
            .unwrap();
        // Other rows, labeled by another rule: free weights follow them, weights tied to the
        // first solution by a strong prior stay near it.
        let (x2, y2) = random_problem(300, 10, K, 31);
        let other = dataset(x2, &y2);
        let distance = |m: &Linear| {
            m.weights
                .iter()
                .zip(&solution.weights)
                .map(|(a, b)| f64::from(a - b).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let fit = |alpha: f64, prior: Option<Linear>| {
            LogisticParams::default()
                .alpha(alpha)
                .max_iterations(100)
                .prior(prior)
                .check()
                .unwrap()
                .fit_with(Some(&solution), &other)
                .unwrap()
        };
        let free = distance(&fit(0.1, None));
        let tied = distance(&fit(1000.0, Some(solution.clone())));
        assert!(tied < 0.05 * free, "tied {tied} free {free}");
        // A prior of another width, or with a NaN, is refused.
        let narrow = Linear {
            weights: vec![0.0; 3 * K],
            bias: [0.0; K],
        };
        assert!(LogisticParams::default()
            .prior(Some(narrow))
            .check()
            .unwrap()
            .fit(&other)
            .is_err());
        let mut nan = solution.clone();
        nan.weights[0] = f32::NAN;
        assert!(LogisticParams::default().prior(Some(nan)).check().is_err());
    }

    #[test]
    fn the_loss_matches_a_dense_computation() {
        // The same loss as linfa-logistic's: summed over rows, the bias unpenalized.
        let (d, k) = (5, 3);
        let (x, y) = random_problem(25, d, k, 3);
        let mut rng = Rng(5);
        let w: Vec<f64> = (0..(d + 1) * k).map(|_| rng.next() - 0.5).collect();
        let alpha = 2.0;
        let mut expected = 0.0;
        for (i, &target) in y.iter().enumerate() {
            let row = x.dense_row(i);
            let z: Vec<f64> = (0..k)
                .map(|j| {
                    w[d * k + j]
                        + (0..d)
                            .map(|f| f64::from(row[f]) * w[f * k + j])
                            .sum::<f64>()
                })
                .collect();
            let lse = z.iter().map(|v| v.exp()).sum::<f64>().ln();
            expected += lse - z[target as usize];
        }
        expected += 0.5 * alpha * w[..d * k].iter().map(|v| v * v).sum::<f64>();
        let (loss, _) = loss_and_gradient(&x, &y, k, &w, &Terms::plain(alpha));
        assert!(
            (loss - expected).abs() < 1e-9 * expected,
            "{loss} vs {expected}"
        );
    }

    #[test]
    fn a_separable_problem_is_learned() {
        let (x, y) = random_problem(400, 12, K, 11);
        let data = dataset(x, &y);
        let params = LogisticParams::default()
            .alpha(0.01)
            .max_iterations(200)
            .check()
            .unwrap();
        let model = params.fit(&data).unwrap();
        let acc = accuracy(&model, &data);
        assert!(acc > 0.95, "accuracy {acc}");
    }

    #[test]
    fn absent_classes_get_no_probability() {
        let (x, y) = random_problem(200, 6, 2, 13);
        // Classes 0 and 1 of the rule become classes 1 and 3.
        let y: Vec<u8> = y.iter().map(|&c| if c == 0 { 1 } else { 3 }).collect();
        let data = dataset(x, &y);
        let model = LogisticParams::default()
            .check()
            .unwrap()
            .fit(&data)
            .unwrap();
        for c in [0, 2, 4] {
            assert_eq!(model.bias[c], ABSENT_CLASS_BIAS);
            assert!((0..model.dim()).all(|f| model.weights[f * K + c] == 0.0));
        }
        assert!(accuracy(&model, &data) > 0.9);
    }

    #[test]
    fn fitting_is_deterministic() {
        let (x, y) = random_problem(300, 20, K, 17);
        let data = dataset(x, &y);
        let params = LogisticParams::default()
            .max_iterations(30)
            .check()
            .unwrap();
        let a = params.fit(&data).unwrap();
        let b = params.fit(&data).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_warm_start_from_the_solution_stays_there() {
        let (x, y) = random_problem(300, 10, K, 23);
        let data = dataset(x, &y);
        let params = LogisticParams::default()
            .max_iterations(300)
            .gradient_tolerance(1e-6)
            .check()
            .unwrap();
        let solution = params.fit(&data).unwrap();
        let again = LogisticParams::default()
            .max_iterations(15)
            .check()
            .unwrap()
            .fit_with(Some(&solution), &data)
            .unwrap();
        let moved = solution
            .weights
            .iter()
            .zip(&again.weights)
            .chain(solution.bias.iter().zip(&again.bias))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(moved < 1e-3, "the warm start moved a weight by {moved}");
        // From zeros, 15 iterations end elsewhere: the start was used.
        let cold = LogisticParams::default()
            .max_iterations(2)
            .check()
            .unwrap()
            .fit(&data)
            .unwrap();
        assert_ne!(cold, again);
    }

    #[test]
    fn anchored_rows_alone_leave_the_prior_where_it_is() {
        // A scorer fitted elsewhere, and a sample of other rows: anchored to it, the sample
        // pulls nowhere at the prior, so the fit stays there; only new rows move it.
        let (x, y) = random_problem(200, 8, K, 37);
        let prior = LogisticParams::default()
            .max_iterations(40)
            .check()
            .unwrap()
            .fit(&dataset(x, &y))
            .unwrap();
        let (sample, sy) = random_problem(60, 8, K, 41);
        let fit = |anchor: Option<Anchor>, data: &SparseDataset| {
            LogisticParams::default()
                .max_iterations(50)
                .prior(Some(prior.clone()))
                .anchor(anchor)
                .check()
                .unwrap()
                .fit_with(Some(&prior), data)
                .unwrap()
        };
        let moved = |m: &Linear| {
            m.weights
                .iter()
                .zip(&prior.weights)
                .chain(m.bias.iter().zip(&prior.bias))
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max)
        };
        let anchor = Anchor {
            rows: 60,
            scale: 3.0,
        };
        let data = dataset(sample.clone(), &sy);
        assert!(moved(&fit(Some(anchor), &data)) < 1e-4);
        assert!(moved(&fit(None, &data)) > 0.05);
        // New rows after the anchored ones do move it.
        let (new, ny) = random_problem(20, 8, K, 43);
        let mut both = sample;
        for i in 0..new.nrows() {
            both.push_dense(&new.dense_row(i));
        }
        let targets: Vec<u8> = sy.iter().chain(&ny).copied().collect();
        assert!(moved(&fit(Some(anchor), &dataset(both, &targets))) > 0.05);
        // Anchored rows need a prior, and no more rows than the data has.
        assert!(LogisticParams::default()
            .anchor(Some(anchor))
            .check()
            .is_err());
        let too_many = Anchor {
            rows: 61,
            scale: 1.0,
        };
        let data = dataset(random_problem(60, 8, K, 41).0, &sy);
        assert!(LogisticParams::default()
            .prior(Some(prior.clone()))
            .anchor(Some(too_many))
            .check()
            .unwrap()
            .fit(&data)
            .is_err());
    }

    #[test]
    fn mismatched_data_is_refused() {
        let (x, _) = random_problem(10, 3, 2, 1);
        let data = Dataset::new(x.clone(), Array1::from(vec![0usize; 4]));
        let params = LogisticParams::default().check().unwrap();
        assert!(params.fit(&data).is_err());
        let data = Dataset::new(x, Array1::from(vec![K; 10]));
        assert!(params.fit(&data).is_err());
    }
}
