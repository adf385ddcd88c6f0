//! Generalization measured the honest way: leave-one-layout-out cross-validation, and the
//! few-shot curve of retraining with k pages of a layout the model has not seen.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::thread;

use serde::Serialize;

use crate::error::Result;
use crate::eval::{evaluate, Evaluation};
use crate::labeled::LabeledPage;
use crate::labeler::Labeler;
use crate::model::Model;
use crate::train::{fit_timed, with_focus, TrainParams, ValidTrainParams, WARM_START_ITERATIONS};
use linfa::ParamGuard;

/// Pages grouped by layout, layouts in name order.
pub fn by_layout(pages: &[LabeledPage]) -> BTreeMap<&str, Vec<&LabeledPage>> {
    let mut groups: BTreeMap<&str, Vec<&LabeledPage>> = BTreeMap::new();
    for p in pages {
        groups.entry(p.layout.as_str()).or_default().push(p);
    }
    groups
}

/// The figures of one held-out layout.
#[derive(Debug, Clone, Serialize)]
pub struct FoldResult {
    /// The layout held out.
    pub layout: String,
    /// Its pages.
    pub pages: usize,
    /// Macro-F1 over the five classes, as `eval` reports it.
    pub macro_f1: f64,
    /// Body-keep F1.
    pub body_f1: f64,
    /// Share of its pages cleaned exactly.
    pub exact_page_share: f64,
    /// Seconds the fold's training took.
    pub train_seconds: f64,
}

/// Runs `jobs` on up to `threads` threads, results in job order.
fn parallel_map<T: Sync, R: Send>(
    jobs: &[T],
    threads: usize,
    f: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<Result<R>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().expect("no panics while held");
                    let i = *n;
                    *n += 1;
                    i
                };
                if i >= jobs.len() {
                    break;
                }
                let r = f(&jobs[i]);
                results.lock().expect("no panics while held")[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .expect("no panics while held")
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

/// Leave-one-layout-out: for every layout, train on all the others and evaluate on it.
/// Returns the per-layout figures and the pooled evaluation of all held-out pages.
pub fn leave_one_layout_out(
    pages: &[LabeledPage],
    params: &ValidTrainParams,
    threads: usize,
) -> Result<(Vec<FoldResult>, Evaluation)> {
    let groups = by_layout(pages);
    let layouts: Vec<&str> = groups.keys().copied().collect();
    let folds = parallel_map(&layouts, threads, |&layout| {
        let train: Vec<LabeledPage> = pages
            .iter()
            .filter(|p| p.layout != layout)
            .cloned()
            .collect();
        let (model, seconds) = fit_timed(params, None, &train)?;
        let test: Vec<LabeledPage> = groups[layout].iter().map(|p| (*p).clone()).collect();
        let eval = evaluate(&Labeler::new(model), &test);
        let r = eval.report();
        Ok((
            FoldResult {
                layout: layout.to_string(),
                pages: test.len(),
                macro_f1: r.macro_f1,
                body_f1: r.body_keep.f1,
                exact_page_share: r.exact_page_share,
                train_seconds: seconds,
            },
            eval,
        ))
    })?;
    let mut pooled = Evaluation::default();
    let mut results = Vec::new();
    for (r, e) in folds {
        results.push(r);
        pooled.merge(e);
    }
    Ok((results, pooled))
}

/// One point of the few-shot curve.
#[derive(Debug, Clone, Serialize)]
pub struct FewShotPoint {
    /// The held-out layout.
    pub layout: String,
    /// Pages of that layout added to training.
    pub shots: usize,
    /// Macro-F1 on the layout's pages that are never trained on.
    pub macro_f1: f64,
    /// Body-keep F1 on them.
    pub body_f1: f64,
    /// Seconds the retraining took.
    pub train_seconds: f64,
}

/// The few-shot protocol: how many pages of a held-out layout, how much they weigh, and whether
/// retraining starts from the model trained without them.
#[derive(Debug, Clone)]
pub struct FewShot {
    /// Retrain with k = 0..=max_shots pages of the layout.
    pub max_shots: usize,
    /// How many times each added page counts (as `chaff train --focus`).
    pub focus_weight: usize,
    /// Start each k >= 1 retraining from the k = 0 model's weights, with
    /// [`WARM_START_ITERATIONS`] iterations (as `chaff train --warm-start`).
    pub warm_start: bool,
}

/// For each of `layouts`, trains without it plus its first k pages (k = 0..=max_shots), weighed
/// as `chaff train --focus` does, and evaluates on its pages after the first `max_shots`, so
/// every k is scored on the same pages.
pub fn few_shot(
    pages: &[LabeledPage],
    layouts: &[String],
    protocol: &FewShot,
    params: &ValidTrainParams,
    threads: usize,
) -> Result<Vec<FewShotPoint>> {
    let max_shots = protocol.max_shots;
    let groups = by_layout(pages);
    let chosen: Vec<&String> = layouts
        .iter()
        .filter(|l| groups.get(l.as_str()).is_some_and(|g| g.len() > max_shots))
        .collect();
    let warm_params = TrainParams::from(params.clone())
        .max_iterations(WARM_START_ITERATIONS)
        .check()?;
    let curves = parallel_map(&chosen, threads, |&layout| {
        let own = &groups[layout.as_str()];
        let others: Vec<LabeledPage> = pages
            .iter()
            .filter(|p| &p.layout != layout)
            .cloned()
            .collect();
        let test: Vec<LabeledPage> = own[max_shots..].iter().map(|p| (*p).clone()).collect();
        let mut points = Vec::new();
        let mut unseen: Option<Model> = None;
        for k in 0..=max_shots {
            let shots: Vec<LabeledPage> = own[..k].iter().map(|p| (*p).clone()).collect();
            let train = with_focus(&others, &shots, protocol.focus_weight);
            let (model, seconds) = match (&unseen, protocol.warm_start) {
                (Some(start), true) => fit_timed(&warm_params, Some(start), &train)?,
                _ => fit_timed(params, None, &train)?,
            };
            let r = evaluate(&Labeler::new(model.clone()), &test).report();
            points.push(FewShotPoint {
                layout: layout.clone(),
                shots: k,
                macro_f1: r.macro_f1,
                body_f1: r.body_keep.f1,
                train_seconds: seconds,
            });
            if k == 0 {
                unseen = Some(model);
            }
        }
        Ok(points)
    })?;
    Ok(curves.into_iter().flatten().collect())
}
