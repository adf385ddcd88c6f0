//! Site memory at crawl scale: counts `PAGES` synthetic pages spread over `SITES` sites (each
//! page: the site's template lines, some of them varying from page to page, and lines of its
//! own article) and reports the time spent counting, the peak memory of the process, and the
//! finished profile's size.
//!
//!     cargo run --release --example site_memory_scale -- 1000000 10000

use std::time::Instant;

use chaff::site::SiteCounter;

/// A fixed pseudo-random stream (SplitMix64), the same on every run.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// `n` spelled in letters (site memory reads every digit as `0`, so numbers would not tell
/// lines apart).
fn letters(mut n: u64) -> String {
    let mut s = String::new();
    loop {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return s;
        }
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("PAGES SITES"))
        .collect();
    let (pages, sites) = (
        args.first().copied().unwrap_or(1_000_000),
        args.get(1).copied().unwrap_or(10_000),
    );
    let mut stream = Stream(7);
    let mut counter = SiteCounter::default();
    let mut counting = std::time::Duration::ZERO;
    let mut lines_counted = 0u64;
    let started = Instant::now();
    let mut lines: Vec<String> = Vec::with_capacity(128);
    for page in 0..pages {
        let site = page % sites;
        lines.clear();
        // The site's template: 40 lines, 30 always there, 10 that come and go (promos, most
        // read lists), and a timestamp whose digits change.
        for t in 0..40u64 {
            if t >= 30 && stream.next() % 3 == 0 {
                continue;
            }
            lines.push(format!(
                "site {} template line {} menu item",
                letters(site as u64),
                letters(t)
            ));
        }
        lines.push(format!(
            "Updated 2026.{:02}.{:02} {:02}:{:02}",
            page % 12 + 1,
            page % 28 + 1,
            page % 24,
            page % 60
        ));
        // The article: 40 lines of its own.
        for a in 0..40u64 {
            lines.push(format!(
                "article {} paragraph {} says {}",
                letters(page as u64),
                letters(a),
                letters(stream.next())
            ));
        }
        let t = Instant::now();
        counter.add_page(&format!("site{site}.example"), &lines, None);
        counting += t.elapsed();
        lines_counted += lines.len() as u64;
    }
    let counted_rss = peak_rss_mib();
    let t = Instant::now();
    let profile = counter.finish();
    let finishing = t.elapsed();
    let mut bytes = Vec::new();
    profile.write_to(&mut bytes).expect("in memory");
    println!(
        "{pages} pages, {sites} sites, {lines_counted} lines: counting {:.1} s ({:.0} ns a line), finishing {:.2} s, total with page generation {:.1} s",
        counting.as_secs_f64(),
        counting.as_nanos() as f64 / lines_counted as f64,
        finishing.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "peak memory while counting {counted_rss:.0} MiB; profile: {} sites, {} pages, {} lines and paths kept, {:.1} MiB on disk",
        profile.len(),
        profile.pages(),
        profile.entries(),
        bytes.len() as f64 / (1 << 20) as f64
    );
}
