//! Sequence decoding: the most likely class sequence of a page given per-line scores and
//! transition scores between neighbouring lines' classes (Viterbi).
//!
//! Chrome, related lists and article paragraphs come in runs; transition scores learned from
//! the corpus let a confident neighbourhood outvote one ambiguous line.

use crate::class::Class;

const K: usize = Class::COUNT;

/// Log-scores of class transitions, learned from labeled pages.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transitions {
    /// `start[c]`: log-probability that a page's first line has class `c`.
    pub start: [f32; K],
    /// `next[a][b]`: log-probability that a line of class `b` follows one of class `a`.
    pub next: [[f32; K]; K],
    /// How much transitions weigh against the per-line scores.
    pub weight: f32,
}

impl Transitions {
    /// Estimates transitions from gold class sequences, with add-one smoothing.
    ///
    /// Scores are log P(b | a) − log P(b): the per-line scores are class posteriors that
    /// already hold the class priors, so the transitions add only what a neighbour says
    /// beyond them (otherwise rare classes such as bylines are penalized twice).
    #[cfg(feature = "train")]
    pub fn estimate<'a>(pages: impl IntoIterator<Item = &'a [Class]>, weight: f32) -> Transitions {
        let mut start = [1.0f32; K];
        let mut next = [[1.0f32; K]; K];
        let mut prior = [1.0f32; K];
        for classes in pages {
            if let Some(first) = classes.first() {
                start[first.index()] += 1.0;
            }
            for c in classes {
                prior[c.index()] += 1.0;
            }
            for pair in classes.windows(2) {
                next[pair[0].index()][pair[1].index()] += 1.0;
            }
        }
        let normalize = |row: &mut [f32; K]| {
            let total: f32 = row.iter().sum();
            row.iter_mut().for_each(|v| *v = (*v / total).ln());
        };
        normalize(&mut prior);
        normalize(&mut start);
        next.iter_mut().for_each(normalize);
        for b in 0..K {
            start[b] -= prior[b];
            for row in next.iter_mut() {
                row[b] -= prior[b];
            }
        }
        Transitions {
            start,
            next,
            weight,
        }
    }

    /// Transitions that carry no information: decoding then takes each line's best class.
    #[cfg(test)]
    pub fn uniform() -> Transitions {
        Transitions {
            start: [0.0; K],
            next: [[0.0; K]; K],
            weight: 0.0,
        }
    }

    /// The best class sequence for per-line log-scores `emissions`.
    pub fn viterbi(&self, emissions: &[[f32; K]]) -> Vec<Class> {
        let n = emissions.len();
        if n == 0 {
            return Vec::new();
        }
        let w = self.weight;
        let mut score = [0.0f32; K];
        for c in 0..K {
            score[c] = w * self.start[c] + emissions[0][c];
        }
        let mut back = vec![[0u8; K]; n];
        for i in 1..n {
            let mut next_score = [f32::NEG_INFINITY; K];
            for b in 0..K {
                let mut best = f32::NEG_INFINITY;
                let mut arg = 0;
                for (a, &prev) in score.iter().enumerate() {
                    let s = prev + w * self.next[a][b];
                    if s > best {
                        best = s;
                        arg = a;
                    }
                }
                next_score[b] = best + emissions[i][b];
                back[i][b] = arg as u8;
            }
            score = next_score;
        }
        let mut best = 0;
        for c in 1..K {
            if score[c] > score[best] {
                best = c;
            }
        }
        let mut path = vec![Class::Body; n];
        for i in (0..n).rev() {
            path[i] = Class::from_index(best);
            best = back[i][best] as usize;
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(best: usize, margin: f32) -> [f32; K] {
        let mut s = [-3.0; K];
        s[best] = -3.0 + margin;
        s
    }

    #[test]
    fn without_transitions_each_line_takes_its_best_class() {
        let em = [scores(0, 1.0), scores(4, 0.2), scores(1, 2.0)];
        let path = Transitions::uniform().viterbi(&em);
        assert_eq!(path, vec![Class::Body, Class::Related, Class::Chrome]);
    }

    #[test]
    fn runs_outvote_a_weak_line() {
        use Class::*;
        let gold: Vec<Vec<Class>> = vec![vec![Related; 10], vec![Body; 10]];
        let t = Transitions::estimate(gold.iter().map(|v| v.as_slice()), 1.0);
        // A weakly-body line inside a confident related list becomes related.
        let em = [scores(4, 3.0), scores(0, 0.3), scores(4, 3.0)];
        assert_eq!(t.viterbi(&em), vec![Related, Related, Related]);
        // A confident body line keeps its class.
        let em = [scores(4, 3.0), scores(0, 8.0), scores(4, 3.0)];
        assert_eq!(t.viterbi(&em)[1], Body);
        assert!(t.viterbi(&[]).is_empty());
    }
}
