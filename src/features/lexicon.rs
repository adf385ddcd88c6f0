//! The word lists, character sets and keyword tables the line features look for. Sorted lists
//! are searched by binary search; the tests check they stay sorted.

use std::sync::OnceLock;

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::Anchored;

/// Marks that open a list item.
pub(crate) const BULLETS: &[char] = &[
    '-', '•', '·', '▶', '▷', '►', '■', '□', '◆', '◇', '○', '●', '※', '>', '»', '→', '☞', '*', '▲',
    '△', '▼', '◎', '★', '☆', '–', '—', '‣', '∙', '・',
];
/// Opening brackets, at the start of a bracketed tag or credit.
pub(crate) const OPEN_BRACKETS: &[char] = &[
    '[', '(', '【', '<', '〈', '《', '〔', '{', '「', '『', '＜', '［',
];
/// Closing brackets, at the end of a line wrapped in brackets.
pub(crate) const CLOSE_BRACKETS: &[char] = &[
    ']', ')', '】', '>', '〉', '》', '〕', '}', '」', '』', '＞', '］',
];
/// Sentence-final marks.
pub(crate) const SENTENCE_END: &[char] = &['.', '!', '?', '。', '！', '？'];
/// Quotation marks.
pub(crate) const QUOTES: &[char] = &['"', '\'', '“', '”', '‘', '’', '」', '』', '»', '«'];
/// Marks that separate the items of a menu or a breadcrumb trail.
pub(crate) const SEPARATORS: &[char] = &['|', '·', '/', '>', '›', '»', '∙', '•'];
/// Endings of a Korean sentence in the plain or polite style, with or without a closing quote.
pub(crate) const KOREAN_SENTENCE_ENDINGS: &[&str] = &["다.", "다", "요.", "다.\"", "다.”"];
/// Dashes and slashes a credit may stand after (`— Jane Doe`, `/AFP`).
pub(crate) const CREDIT_DASHES: &[char] = &['—', '–', '-', '/', '―'];
/// Month names, by their first three letters (`Nov`, `November`).
pub(crate) const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Words of menus, sections and site furniture in English, which a person's name is not made of.
const COMMON_WORDS: &[&str] = &[
    "a",
    "about",
    "account",
    "ad",
    "all",
    "and",
    "app",
    "apps",
    "archive",
    "art",
    "arts",
    "at",
    "auto",
    "autos",
    "back",
    "best",
    "books",
    "business",
    "by",
    "careers",
    "cars",
    "city",
    "climate",
    "close",
    "comment",
    "comments",
    "contact",
    "content",
    "copy",
    "corrections",
    "crime",
    "culture",
    "daily",
    "data",
    "deals",
    "desk",
    "digital",
    "edition",
    "editorial",
    "education",
    "election",
    "email",
    "energy",
    "english",
    "entertainment",
    "environment",
    "events",
    "explore",
    "family",
    "fashion",
    "features",
    "film",
    "finance",
    "food",
    "for",
    "from",
    "games",
    "global",
    "go",
    "guide",
    "health",
    "help",
    "home",
    "homes",
    "ideas",
    "in",
    "industry",
    "info",
    "international",
    "investing",
    "jobs",
    "latest",
    "law",
    "learn",
    "life",
    "lifestyle",
    "link",
    "live",
    "local",
    "login",
    "magazine",
    "main",
    "markets",
    "media",
    "menu",
    "money",
    "more",
    "most",
    "motoring",
    "movies",
    "music",
    "my",
    "nation",
    "national",
    "new",
    "news",
    "newsletter",
    "newsletters",
    "next",
    "now",
    "obituaries",
    "of",
    "on",
    "online",
    "opinion",
    "our",
    "page",
    "people",
    "photo",
    "photos",
    "podcast",
    "podcasts",
    "policy",
    "politics",
    "popular",
    "post",
    "premium",
    "press",
    "previous",
    "print",
    "privacy",
    "puzzles",
    "read",
    "real",
    "recipes",
    "region",
    "related",
    "report",
    "reports",
    "science",
    "search",
    "section",
    "see",
    "services",
    "share",
    "shop",
    "show",
    "sign",
    "site",
    "society",
    "sport",
    "sports",
    "stories",
    "story",
    "style",
    "subscribe",
    "subscription",
    "tech",
    "technology",
    "terms",
    "the",
    "this",
    "times",
    "to",
    "today",
    "top",
    "travel",
    "trending",
    "tv",
    "up",
    "us",
    "use",
    "video",
    "videos",
    "view",
    "watch",
    "weather",
    "week",
    "weekend",
    "world",
    "your",
];

/// An everyday word of menus ([`COMMON_WORDS`]), whatever its case and surrounding punctuation.
pub(crate) fn is_common_word(word: &str) -> bool {
    let w = super::words::trim_to(word, |c| c.is_ascii_alphanumeric());
    w.len() <= 16 && {
        let mut lower = [0u8; 16];
        for (d, b) in lower.iter_mut().zip(w.bytes()) {
            *d = b.to_ascii_lowercase();
        }
        // Lower-casing ASCII letters keeps UTF-8 valid; `str` orders as its bytes do.
        let lower = &lower[..w.len()];
        COMMON_WORDS
            .binary_search_by(|common| common.as_bytes().cmp(lower))
            .is_ok()
    }
}

/// Common Korean family names; a two-to-four-syllable word that starts with one is likely a name.
pub(crate) const KOREAN_SURNAMES: &[char] = &[
    '강', '고', '곽', '구', '권', '김', '노', '류', '문', '민', '박', '배', '백', '변', '서', '성',
    '손', '송', '신', '심', '안', '양', '엄', '오', '우', '원', '유', '윤', '이', '임', '장', '전',
    '정', '조', '주', '지', '진', '차', '채', '최', '하', '한', '허', '현', '홍', '황',
];

/// Titles that may stand beside a person's name (`김서윤 기자`); a person's name is the rest.
pub(crate) const PERSON_TITLES: &[&str] = &[
    "기자",
    "특파원",
    "선임기자",
    "논설위원",
    "앵커",
    "인턴기자",
    "PD",
];

/// Reporter titles a name-like Hangul line may carry (`홍길동 기자`).
pub(crate) const NAME_TITLES: &[&str] = &["기자", "특파원", "선임기자", "논설위원", "앵커"];

/// Verbs that follow the author's name in an English author bio (`Jane Doe covers ...`).
pub(crate) const BIO_VERBS: &[&str] = &[
    "covers",
    "writes",
    "reports",
    "is",
    "has",
    "joined",
    "edits",
    "leads",
    "was",
    "previously",
];

/// Phrases about a writer's job, one of which an English author bio holds.
pub(crate) const BIO_PHRASES: &[&str] = &[
    " covers ",
    " writes ",
    " reporter",
    " correspondent",
    " editor",
    " columnist",
    " writer",
    " based in ",
];

/// Endings of a Korean author bio (`... 분야를 취재합니다.`).
pub(crate) const KOREAN_BIO_ENDINGS: &[&str] = &[
    "취재합니다",
    "씁니다",
    "맡고 있습니다",
    "담당하고 있습니다",
    "취재하고 있습니다",
];

/// Keyword groups that mark copyright notices, bylines, credits, timestamps, list headings and
/// site furniture.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    CopyrightMark,
    Rights,
    Url,
    ReporterTitle,
    Credit,
    Timestamp,
    ListHeading,
    CreditPhrase,
    SiteNotice,
    Summary,
    Viewer,
    Promo,
}

const KEYWORDS: &[(Group, &[&str])] = &[
    (Group::CopyrightMark, &["©", "ⓒ", "(c)", "copyright"]),
    (
        Group::Rights,
        &[
            "all rights reserved",
            "rights reserved",
            "무단",
            "전재",
            "재배포",
            "저작권",
            "reproduction",
            "redistribut",
            "republish",
            "학습",
            "without permission",
        ],
    ),
    (Group::Url, &["http://", "https://", "www."]),
    (
        Group::ReporterTitle,
        &[
            "기자",
            "특파원",
            "논설위원",
            "선임기자",
            "객원",
            "칼럼니스트",
            "reporter",
            "correspondent",
            "editor",
            "staff writer",
            "columnist",
            "contributor",
        ],
    ),
    (
        Group::Credit,
        &[
            "사진=",
            "사진 =",
            "사진제공",
            "제공=",
            "photo:",
            "photo by",
            "photos:",
            "image:",
            "credit:",
            "getty",
            "courtesy",
            "file photo",
            "/ap",
            "afp",
            "reuters",
            "yonhap",
            "연합뉴스",
            "뉴스1",
            "뉴시스",
            "촬영",
            "편집",
            "그래픽=",
        ],
    ),
    (
        Group::Timestamp,
        &[
            "입력",
            "수정",
            "승인",
            "업데이트",
            "등록",
            "발행",
            "송고",
            "updated",
            "published",
            "posted",
            "ago",
            "last modified",
            "min read",
            "read time",
            "views",
            "조회",
        ],
    ),
    (
        Group::ListHeading,
        &[
            "related",
            "more from",
            "more on",
            "most read",
            "most popular",
            "most viewed",
            "popular",
            "latest",
            "trending",
            "recommended",
            "you may also",
            "you might also",
            "read more",
            "read next",
            "also read",
            "see also",
            "top stories",
            "editor's pick",
            "관련",
            "많이 본",
            "인기",
            "추천",
            "최신",
            "주요뉴스",
            "다른 기사",
            "함께 보",
            "헤드라인",
            "랭킹",
        ],
    ),
    (
        Group::CreditPhrase,
        &[
            "reporting by",
            "reported by",
            "written by",
            "edited by",
            "editing by",
            "translated by",
            "interview by",
            "compiled by",
            "additional reporting",
            "contributed to this report",
            "contributed reporting",
            "inputs from",
            "취재=",
            "정리=",
            "대담=",
            "글=",
            "번역=",
            "영상취재",
            "영상편집",
            "영상 취재",
            "영상 편집",
            "촬영기자",
            "그래픽:",
        ],
    ),
    (
        Group::SiteNotice,
        &[
            "generated",
            "cookie",
            "쿠키",
            "consent",
            "동의",
            "로그인",
            "log in",
            "sign in",
            "sign up",
            "subscribe",
            "subscription",
            "구독",
            "newsletter",
            "뉴스레터",
            "advertisement",
            "sponsored",
            "광고",
            "제휴",
            "앱에서",
            "download",
            "알림",
            "notification",
            "produced with support",
            "with support from",
            "지원을 받아",
            "후원을 받아",
            "제보",
            "disclaimer",
            "whatsapp",
            "follow us",
            "listen to this",
            "읽는 데",
            "partners",
            "accept all",
            "co-published",
        ],
    ),
    (
        Group::Summary,
        &[
            "요약",
            "핵심",
            "summary",
            "summaries",
            "takeaways",
            "highlights",
            "at a glance",
            "key points",
            "the gist",
            "in brief",
            "things to know",
            "quick read",
            "tl;dr",
        ],
    ),
    (
        Group::Viewer,
        &[
            "확대",
            "크게보기",
            "크게 보기",
            "원본보기",
            "원본 보기",
            "이전 사진",
            "다음 사진",
            "enlarge",
            "expand",
            "gallery",
            "slideshow",
            "full screen",
            "fullscreen",
            "zoom",
        ],
    ),
    (
        Group::Promo,
        &[
            "free",
            "save up",
            "offer",
            "discount",
            "% off",
            "trial",
            "book now",
            "buy ",
            "shop ",
            "deals",
            "coupon",
            "£",
            "할인",
            "무료",
            "특가",
            "이용권",
            "쿠폰",
            "구매",
            "체험",
            "가입하면",
            "이벤트",
            "혜택",
        ],
    ),
];

/// Which keyword groups a line holds, found in one pass.
pub(crate) struct Found {
    /// One bit per [`Group`].
    groups: u32,
    /// Distinct rights keywords.
    pub(crate) rights: u32,
}

impl Found {
    pub(crate) fn has(&self, g: Group) -> bool {
        self.groups & (1 << g as u32) != 0
    }
}

/// The groups of [`KEYWORDS`] a line holds, ASCII case ignored.
pub(crate) fn keyword_groups(line: &str) -> Found {
    static MATCHER: OnceLock<(DFA, Vec<Group>)> = OnceLock::new();
    let (dfa, groups) = MATCHER.get_or_init(|| {
        let mut patterns = Vec::new();
        let mut groups = Vec::new();
        for (g, words) in KEYWORDS {
            for w in *words {
                patterns.push(*w);
                groups.push(*g);
            }
        }
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .expect("keyword patterns build");
        (dfa, groups)
    });
    let mut found = Found {
        groups: 0,
        rights: 0,
    };
    let mut rights_seen = 0u64;
    // Every match of every pattern (an overlapping search), by walking the DFA byte by byte:
    // a state lists all the patterns that end where it is reached.
    let mut state = dfa
        .start_state(Anchored::No)
        .expect("an unanchored automaton");
    for &byte in line.as_bytes() {
        state = dfa.next_state(Anchored::No, state, byte);
        if dfa.is_special(state) && dfa.is_match(state) {
            for k in 0..dfa.match_len(state) {
                let pattern = dfa.match_pattern(state, k).as_usize();
                let g = groups[pattern];
                found.groups |= 1 << g as u32;
                if g == Group::Rights {
                    rights_seen |= 1 << pattern;
                }
            }
        }
    }
    found.rights = rights_seen.count_ones();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searched_lists_are_sorted() {
        assert!(COMMON_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(KOREAN_SURNAMES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn keyword_groups_are_found_together() {
        let found =
            keyword_groups("Copyright © 2023. All rights reserved. Reproduction forbidden.");
        assert!(found.has(Group::CopyrightMark));
        assert_eq!(found.rights, 3);
        assert!(!found.has(Group::Url));
    }
}
