//! Digest of every feature value of the training and dev pages (and of perturbed copies of
//! them), to check that a change to feature extraction leaves every value bit-identical.
//!
//! `cargo run --release --example feature_digest > digests.txt`, before and after, then `diff`.

use std::path::{Path, PathBuf};

use chaff::labeler::analyze_page;
use chaff::stages;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn digest(f: &stages::PageFeatures) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325;
    for v in &f.dense {
        h = fnv(h, &v.to_bits().to_le_bytes());
    }
    for i in 0..f.len() {
        h = fnv(h, &(i as u32).to_le_bytes());
        for &(bucket, value) in f.hashed_row(i) {
            h = fnv(h, &bucket.to_le_bytes());
            h = fnv(h, &value.to_bits().to_le_bytes());
        }
    }
    h
}

fn tsv_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            tsv_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "tsv") {
            out.push(p);
        }
    }
}

/// A small deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const PIECES: &[&str] = &[
    " ",
    "  ",
    "\t",
    "\u{a0}",
    "\u{3000}",
    "\u{2003}",
    "\u{85}",
    "\u{200b}",
    "©",
    "ⓒ",
    "(c)",
    "기자",
    "무단",
    "전재",
    "년",
    "월",
    "일",
    "2023.10.19",
    "9:12",
    "@",
    "a@b.com",
    "http://x.y",
    "www.",
    "By ",
    "글=",
    "/",
    "|",
    "·",
    "»",
    "—",
    "-",
    "\"",
    "”",
    "’",
    "'",
    ".",
    "!",
    "?",
    "。",
    "다.",
    "요.",
    "입니다.",
    "…",
    "...",
    "#",
    "#tag",
    "[",
    "]",
    "【",
    "】",
    "(",
    ")",
    "▶",
    "•",
    "Ab",
    "AB",
    "ab",
    "É",
    "é",
    "ß",
    "İ",
    "Ω",
    "Жж",
    "漢字",
    "かな",
    "カナ",
    "ｶﾅ",
    "Ａ",
    "１",
    "0",
    "12",
    "Reporting by",
    "related",
    "RELATED",
    "Copyright",
    "gallery",
    "£",
    "% off",
    "Harriet Lowe",
    "김서윤",
    "사진=",
    "뉴스1",
    "서울시는",
    "가a나",
    "🙂",
    "\u{1100}",
    "ㄱ",
    "covers",
    "editor",
    "based in ",
    "취재합니다",
    "Nov",
    "may",
    "x",
    "ǅ",
    "ﬁ",
    "\u{301}",
];

fn perturb(line: &str, rng: &mut Rng) -> String {
    let mut s = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let r = rng.next() % 16;
        if r == 0 {
            s.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
        } else if r == 1 {
            i += 1;
            continue;
        } else if r == 2 {
            s.extend(chars[i].to_uppercase());
            i += 1;
            continue;
        }
        s.push(chars[i]);
        i += 1;
    }
    if rng.next() % 4 == 0 {
        s.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
    }
    s
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    tsv_files(&root.join("training"), &mut files);
    tsv_files(&root.join("../shared/realpages/dev"), &mut files);
    files.sort();
    let mut total = 0xcbf2_9ce4_8422_2325u64;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut n_lines = 0usize;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a page");
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.splitn(3, '\t').nth(2).unwrap_or(""))
            .collect();
        let mut variants: Vec<Vec<String>> = vec![lines.iter().map(|l| l.to_string()).collect()];
        variants.push(lines.iter().map(|l| perturb(l, &mut rng)).collect());
        // Random pieces only.
        variants.push(
            (0..lines.len().min(40))
                .map(|_| {
                    let k = rng.next() % 12;
                    (0..k)
                        .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
                        .collect::<String>()
                })
                .collect(),
        );
        for (v, page) in variants.iter().enumerate() {
            n_lines += page.len();
            let (lang, langs) = stages::languages(page);
            let a = digest(&stages::features(page, &lang, &langs));
            let (_, _, f) = analyze_page(page);
            let b = digest(&f);
            println!(
                "{} {v} {a:016x} {b:016x}",
                file.strip_prefix(root).unwrap_or(file).display()
            );
            total = fnv(total, &a.to_le_bytes());
            total = fnv(total, &b.to_le_bytes());
        }
    }
    println!("TOTAL {} files {} lines {total:016x}", files.len(), n_lines);
}
