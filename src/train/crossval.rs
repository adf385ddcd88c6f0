//! Generalization measured the honest way: leave-one-layout-out cross-validation, the
//! few-shot curve of retraining with k pages of a layout the model has not seen, and
//! leave-one-page-out over a user's own pages, retrained as `chaff train --focus` retrains.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::thread;

use serde::Serialize;

use crate::corpus::labeled::LabeledPage;
use crate::error::{Error, Result};
use crate::labeler::Labeler;
use crate::model::Model;
use crate::train::eval::{evaluate, Evaluation, Report};
use crate::train::{fit_timed, retrain, TrainParams, ValidTrainParams};
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

/// Refuses a corpus of fewer than two layouts: holding one out would leave nothing to train on.
fn require_two_layouts(groups: &BTreeMap<&str, Vec<&LabeledPage>>, what: &str) -> Result<()> {
    let found = match groups.keys().collect::<Vec<_>>().as_slice() {
        [] => "none".to_string(),
        [only] => format!("one, {only:?}"),
        _ => return Ok(()),
    };
    Err(Error::Train(format!(
        "{what} needs at least two layouts (corpus folders, one per site layout): it trains on \
         the others and scores the one held out; the corpus has {found}"
    )))
}

/// Leave-one-layout-out: for every layout, train on all the others and evaluate on it.
/// Returns the per-layout figures and the pooled evaluation of all held-out pages.
///
/// With `html`, the held-out pages are labeled HTML pages, scored in HTML mode
/// ([`evaluate_html`](super::eval::evaluate_html)).
pub fn leave_one_layout_out(
    pages: &[LabeledPage],
    params: &ValidTrainParams,
    threads: usize,
    html: bool,
) -> Result<(Vec<FoldResult>, Evaluation)> {
    let groups = by_layout(pages);
    require_two_layouts(&groups, "leave-one-layout-out")?;
    let params = &ValidTrainParams {
        html_scoring_only: html,
        ..params.clone()
    };
    let layouts: Vec<&str> = groups.keys().copied().collect();
    let folds = parallel_map(&layouts, threads, |&layout| {
        let train: Vec<LabeledPage> = pages
            .iter()
            .filter(|p| p.layout != layout)
            .cloned()
            .collect();
        let (model, seconds) = fit_timed(params, None, &train)?;
        let test: Vec<LabeledPage> = groups[layout].iter().map(|p| (*p).clone()).collect();
        let eval = score(model, &test, html)?;
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
    Ok(pool(folds))
}

/// The evaluation of `model` on `test`, in HTML mode with `html`.
fn score(model: Model, test: &[LabeledPage], html: bool) -> Result<Evaluation> {
    let labeler = Labeler::new(model);
    if html {
        #[cfg(feature = "html")]
        return super::eval::evaluate_html(&labeler, test);
        #[cfg(not(feature = "html"))]
        return Err(Error::Train(
            "scoring in HTML mode needs chaff built with the html feature".into(),
        ));
    }
    Ok(evaluate(&labeler, test))
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
    /// Start each k >= 1 retraining from the k = 0 model's weights, fine-tuned as `chaff train
    /// --warm-start` does ([`TrainParams::warm_start`]).
    pub warm_start: bool,
}

/// For each of `layouts`, trains without it plus its first k pages (k = 0..=max_shots), weighed
/// as `chaff train --focus` does, and evaluates on its pages after the first `max_shots`, so
/// every k is scored on the same pages.
///
/// Refuses, before any training, what [`check_few_shot`] refuses. With `html`, pages are
/// scored in HTML mode, as [`leave_one_layout_out`] does.
pub fn few_shot(
    pages: &[LabeledPage],
    layouts: &[String],
    protocol: &FewShot,
    params: &ValidTrainParams,
    threads: usize,
    html: bool,
) -> Result<Vec<FewShotPoint>> {
    let max_shots = protocol.max_shots;
    check_few_shot(pages, layouts, max_shots)?;
    let params = &ValidTrainParams {
        html_scoring_only: html,
        ..params.clone()
    };
    let groups = by_layout(pages);
    let warm_params = TrainParams::from(params.clone()).warm_start().check()?;
    let curves = parallel_map(layouts, threads, |layout| {
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
            let (model, seconds) = match (&unseen, protocol.warm_start) {
                (Some(start), true) => retrain(
                    &warm_params,
                    Some(start),
                    &others,
                    &shots,
                    protocol.focus_weight,
                )?,
                _ => retrain(params, None, &others, &shots, protocol.focus_weight)?,
            };
            let r = score(model.clone(), &test, html)?.report();
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

/// How a user retrains with their own pages, as `chaff train CORPUS --focus PAGES` does.
#[derive(Debug, Clone, Copy)]
pub struct Retraining<'a> {
    /// How many times each focus page counts (`--focus-weight`).
    pub focus_weight: usize,
    /// The model whose weights retraining starts from (`--warm-start`), if any; `params` then
    /// carry the warm start's iteration cap, as `chaff train --warm-start` sets it.
    pub start: Option<&'a Model>,
}

/// One held-out page of [`leave_one_page_out`].
#[derive(Debug, Clone, Serialize)]
pub struct PageFold {
    /// The page's file.
    pub page: String,
    /// Seconds the retraining without it took.
    pub train_seconds: f64,
    /// Its figures, as `chaff eval PAGE --model M` gives them with M trained without it.
    pub report: Report,
}

/// Leave-one-page-out over a user's pages: for each `focus` page, retrains as
/// [`retrain`] does on `base` and the other focus pages (weighed and warm-started as
/// `retraining` says), then scores the page. With no focus pages, every `base` page is held out
/// in turn and the others are trained on. Returns each page's figures and the pooled
/// evaluation of all held-out pages: an estimate, on pages never trained on, of what retraining
/// with all of them gives on the site's next pages.
///
/// `base` is any list of pages (a corpus read from disk, with more added: the built-in
/// corpus); a page should not be in both lists.
pub fn leave_one_page_out(
    base: &[LabeledPage],
    focus: &[LabeledPage],
    retraining: &Retraining<'_>,
    params: &ValidTrainParams,
    threads: usize,
) -> Result<(Vec<PageFold>, Evaluation)> {
    let held_out = if focus.is_empty() { base } else { focus };
    if held_out.is_empty() {
        return Err(Error::Train(
            "leave-one-page-out needs pages to hold out; none were given".into(),
        ));
    }
    if base.len() + focus.len() < 2 {
        return Err(Error::Train(
            "leave-one-page-out needs at least two pages: it trains on the others and scores \
             the one held out"
                .into(),
        ));
    }
    let indices: Vec<usize> = (0..held_out.len()).collect();
    let folds = parallel_map(&indices, threads, |&i| {
        let others: Vec<LabeledPage> = held_out
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, p)| p.clone())
            .collect();
        let (model, seconds) = if focus.is_empty() {
            retrain(
                params,
                retraining.start,
                &others,
                &[],
                retraining.focus_weight,
            )?
        } else {
            retrain(
                params,
                retraining.start,
                base,
                &others,
                retraining.focus_weight,
            )?
        };
        let page = &held_out[i];
        let eval = score(model, std::slice::from_ref(page), false)?;
        Ok((
            PageFold {
                page: page.path.display().to_string(),
                train_seconds: seconds,
                report: eval.report(),
            },
            eval,
        ))
    })?;
    Ok(pool(folds))
}

/// The layouts a few-shot curve holds out when none are named: `count` of them, spread evenly
/// (in name order) over the layouts with more than `max_shots` pages, the only ones that can
/// give the curve up to `max_shots`. Refuses a corpus where no layout is large enough.
pub fn spread_few_shot_layouts(
    pages: &[LabeledPage],
    max_shots: usize,
    count: usize,
) -> Result<Vec<String>> {
    let groups = by_layout(pages);
    let large_enough: Vec<&str> = groups
        .iter()
        .filter(|(_, own)| own.len() > max_shots)
        .map(|(name, _)| *name)
        .collect();
    if large_enough.is_empty() {
        // The first of the largest, in name order (`max_by_key` keeps the last).
        let (largest, own) = groups
            .iter()
            .rev()
            .max_by_key(|(_, own)| own.len())
            .ok_or_else(|| Error::Train("the corpus has no pages".into()))?;
        return Err(Error::Train(format!(
            "--few-shot {max_shots}: no layout has the {} pages it needs ({max_shots} to train on, \
             1 to score); the largest, {largest:?}, has {}",
            max_shots + 1,
            own.len()
        )));
    }
    let step = (large_enough.len() / count.max(1)).max(1);
    Ok(large_enough
        .into_iter()
        .step_by(step)
        .take(count)
        .map(str::to_string)
        .collect())
}

/// Checks that [`few_shot`] can draw a curve for every one of `layouts` up to `max_shots`: the
/// corpus has at least two layouts, `layouts` is not empty, and every one is in the corpus with
/// more than `max_shots` pages (`max_shots` to train on and at least one to score), so that a
/// curve is never silently cut short. Cheap: it trains nothing.
pub fn check_few_shot(pages: &[LabeledPage], layouts: &[String], max_shots: usize) -> Result<()> {
    let groups = by_layout(pages);
    require_two_layouts(&groups, "the few-shot curve")?;
    if layouts.is_empty() {
        return Err(Error::Train(
            "the few-shot curve needs at least one layout to hold out; none was chosen".into(),
        ));
    }
    let sizes = layouts
        .iter()
        .map(|layout| match groups.get(layout.as_str()) {
            Some(own) => Ok((layout, own.len())),
            None => Err(Error::Train(format!(
                "--few-shot: no layout (folder) {layout:?} in the corpus"
            ))),
        })
        .collect::<Result<Vec<_>>>()?;
    let Some(&(layout, page_count)) = sizes.iter().find(|&&(_, count)| count <= max_shots) else {
        return Ok(());
    };
    let fewest = sizes.iter().map(|&(_, count)| count).min().unwrap_or(0);
    let hint = if fewest >= 2 {
        format!("; --few-shot {} fits every chosen layout", fewest - 1)
    } else {
        String::new()
    };
    Err(Error::Train(format!(
        "--few-shot {max_shots}: layout {layout:?} has {page_count} page{}; it needs at least {} \
         ({max_shots} to train on, 1 to score){hint}",
        if page_count == 1 { "" } else { "s" },
        max_shots + 1
    )))
}

/// The folds' results in order, and their evaluations pooled.
fn pool<R>(folds: Vec<(R, Evaluation)>) -> (Vec<R>, Evaluation) {
    let mut pooled = Evaluation::default();
    let mut results = Vec::with_capacity(folds.len());
    for (r, e) in folds {
        results.push(r);
        pooled.merge(e);
    }
    (results, pooled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::Class;
    use crate::corpus::labeled::LabeledLine;
    use std::path::PathBuf;

    fn pages(layouts: &[(&str, usize)]) -> Vec<LabeledPage> {
        let mut out = Vec::new();
        for &(layout, count) in layouts {
            for i in 0..count {
                out.push(LabeledPage {
                    path: PathBuf::from(format!("{layout}/{i}.tsv")),
                    layout: layout.to_string(),
                    lines: vec![LabeledLine {
                        class: Class::Body,
                        lang: "eng".into(),
                        text: format!("Page {i} of {layout}."),
                    }],
                    html: None,
                    html_only: false,
                });
            }
        }
        out
    }

    fn params() -> ValidTrainParams {
        TrainParams::default().check().unwrap()
    }

    fn few_shot_error(corpus: &[(&str, usize)], layouts: &[&str], k: usize) -> String {
        let protocol = FewShot {
            max_shots: k,
            focus_weight: 10,
            warm_start: false,
        };
        let layouts: Vec<String> = layouts.iter().map(|l| l.to_string()).collect();
        match few_shot(&pages(corpus), &layouts, &protocol, &params(), 1, false) {
            Ok(points) => panic!("no error but {} points", points.len()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_spread_takes_evenly_spaced_layouts_large_enough_for_k() {
        let corpus = pages(&[("a", 5), ("b", 2), ("c", 5), ("d", 5), ("e", 5), ("f", 3)]);
        // Large enough for k = 3: a, c, d, e; two of them, every second.
        assert_eq!(spread_few_shot_layouts(&corpus, 3, 2).unwrap(), ["a", "d"]);
        assert_eq!(
            spread_few_shot_layouts(&corpus, 1, 10).unwrap(),
            ["a", "b", "c", "d", "e", "f"]
        );
        let err = spread_few_shot_layouts(&corpus, 5, 2)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no layout has the 6 pages") && err.contains("\"a\", has 5"),
            "{err}"
        );
    }

    #[test]
    fn pages_group_by_layout_in_name_order() {
        let corpus = pages(&[("zum", 2), ("daum", 1), ("zum", 1)]);
        let groups = by_layout(&corpus);
        assert_eq!(groups.keys().copied().collect::<Vec<_>>(), ["daum", "zum"]);
        assert_eq!(groups["zum"].len(), 3);
    }

    #[test]
    fn leave_one_layout_out_names_the_only_layout() {
        // Once reported as "the corpus has no labeled lines" (the training set left empty).
        let err = match leave_one_layout_out(&pages(&[("daum", 3)]), &params(), 1, false) {
            Ok(_) => panic!("one layout was cross-validated"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains("needs at least two layouts") && err.contains("one, \"daum\""),
            "{err}"
        );
        let err = leave_one_layout_out(&[], &params(), 1, false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("the corpus has none"), "{err}");
    }

    #[test]
    fn few_shot_refuses_a_layout_too_small_for_k_shots() {
        // Such layouts were once skipped: no curve, nothing printed, exit status 0.
        let err = few_shot_error(&[("big", 9), ("small", 2)], &["big", "small"], 3);
        assert_eq!(
            err,
            "training: --few-shot 3: layout \"small\" has 2 pages; it needs at least 4 \
             (3 to train on, 1 to score); --few-shot 1 fits every chosen layout"
        );
        let err = few_shot_error(&[("a", 3), ("b", 1)], &["a", "b"], 1);
        assert!(
            err.ends_with(
                "layout \"b\" has 1 page; it needs at least 2 (1 to train on, 1 to score)"
            ),
            "{err}"
        );
    }

    #[test]
    fn few_shot_refuses_unknown_missing_or_lone_layouts() {
        let err = few_shot_error(&[("a", 5), ("b", 5)], &["c"], 1);
        assert!(err.contains("no layout (folder) \"c\""), "{err}");
        let err = few_shot_error(&[("a", 5), ("b", 5)], &[], 1);
        assert!(err.contains("none was chosen"), "{err}");
        let err = few_shot_error(&[("a", 5)], &["a"], 1);
        assert!(err.contains("needs at least two layouts"), "{err}");
    }
}
