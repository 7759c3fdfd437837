//! Invitation reader benchmark (plain timing, no harness): `cargo bench --bench dialin`.
//!
//! Reports the one-time start-up cost (regexes compiled, phone metadata loaded), bodies
//! per second over the fixture corpus, and the time per body and per KB for large
//! (100 KB+) realistic bodies and for hostile ones. Numbers are printed, never asserted.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use roomvoice::calendar::Body;
use roomvoice::dialin::{looks_like_html, read_invitation, DialPreferences, Invitation};

fn read(body: &Body) -> usize {
    let plan = read_invitation(
        &Invitation {
            body: Some(body),
            ..Invitation::default()
        },
        &DialPreferences::default(),
    );
    plan.numbers.len() + plan.meeting_id.map_or(0, |m| m.len())
}

fn corpus() -> Vec<(String, Body)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invitations");
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("txt" | "html")))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("fixture text");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let body = if looks_like_html(&text) {
            Body::Html(text)
        } else {
            Body::Text(text)
        };
        out.push((name, body));
    }
    out
}

/// Median of `runs` timings of reading `body`.
fn time(body: &Body, runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(read(black_box(body)));
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn len(body: &Body) -> usize {
    match body {
        Body::Text(t) | Body::Html(t) => t.len(),
    }
}

fn main() {
    let corpus = corpus();

    // Start-up, split by what pays it: the phone metadata (postcard-decoded at first
    // use), html5ever's first parse, then the reader's own regexes on a first body.
    let t = Instant::now();
    black_box(phonenumber::parse(None, "+16465588656").is_ok());
    println!(
        "start-up: phone metadata load + first parse: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    black_box(html2text::from_read("<p>x</p>".as_bytes(), 80).is_ok());
    println!(
        "start-up: first HTML render: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let first = Instant::now();
    black_box(read(&corpus[0].1));
    println!(
        "start-up: first body (the reader's regexes): {:.1} ms",
        first.elapsed().as_secs_f64() * 1e3
    );

    // Bodies per second over the corpus.
    let rounds = 50;
    let start = Instant::now();
    for _ in 0..rounds {
        for (_, body) in &corpus {
            black_box(read(body));
        }
    }
    let elapsed = start.elapsed();
    let bodies = rounds * corpus.len();
    println!(
        "corpus: {} bodies x {rounds} rounds: {:.0} bodies/s, {:.1} us/body mean",
        corpus.len(),
        bodies as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / bodies as f64
    );
    let timed: Vec<(&String, Duration)> = corpus.iter().map(|(n, b)| (n, time(b, 21))).collect();
    if std::env::var_os("DIALIN_BENCH_EACH").is_some() {
        for (name, t) in &timed {
            println!("corpus: {name}: {:.1} us", t.as_secs_f64() * 1e6);
        }
    }
    let (slowest, t) = timed
        .iter()
        .max_by_key(|(_, t)| *t)
        .copied()
        .expect("corpus is not empty");
    println!(
        "corpus: slowest fixture {slowest}: {:.1} us",
        t.as_secs_f64() * 1e6
    );

    // Large realistic bodies: an invitation inside a long reply chain of prose.
    let zoom_text = corpus
        .iter()
        .find(|(n, _)| n == "zoom-text.txt")
        .map(|(_, b)| b);
    let zoom_html = corpus
        .iter()
        .find(|(n, _)| n == "zoom-outlook.html")
        .map(|(_, b)| b);
    let prose = "Thanks for the notes. I think we should revisit the Q3 plan on Tuesday, after the vendor call; Sam has the numbers for the budget (about 12,500 units) and will share the deck.\n";
    let mut large = Vec::new();
    if let Some(Body::Text(t)) = zoom_text {
        let mut s = t.clone();
        while s.len() < 100 * 1024 {
            s.push_str("\n-----Original Message-----\nFrom: Sam <sam@example.com>\nSent: Monday, November 16, 2026 4:02 PM\n\n");
            s.push_str(&prose.repeat(8));
        }
        large.push(("text invitation + reply chain", Body::Text(s)));
    }
    if let Some(Body::Html(h)) = zoom_html {
        let mut s = h.replace("</body></html>", "");
        while s.len() < 100 * 1024 {
            s.push_str("<table><tr><td><p class=\"MsoNormal\">");
            s.push_str(&prose.replace('\n', "<br>").repeat(6));
            s.push_str("</p></td></tr></table>");
        }
        s.push_str("</body></html>");
        large.push(("Outlook HTML invitation + tables", Body::Html(s)));
    }

    // Hostile bodies.
    let hostile = vec![
        ("digit runs", Body::Text("1234567890 ".repeat(20_000))),
        (
            "nested tables",
            Body::Html(format!(
                "{}x{}",
                "<table><tr><td>".repeat(5_000),
                "</td></tr></table>".repeat(5_000)
            )),
        ),
        (
            "unclosed tags",
            Body::Html("<div><a href=\"tel:+1".repeat(10_000)),
        ),
        (
            "links",
            Body::Text(
                "https://zoom.us/j/85512345678 https://chime.aws/4917352086\n".repeat(3_000),
            ),
        ),
        (
            "labels without values",
            Body::Text("Meeting ID: Passcode: PIN: Access code: ".repeat(5_000)),
        ),
        (
            "one line of numbers",
            Body::Text(format!("Dial-in: {}", "+1 646 558 8656,".repeat(10_000))),
        ),
        (
            "dial-in lines",
            Body::Text("Dial-in: +1 646 558 8656 US (New York)\n".repeat(4_000)),
        ),
        (
            "1 MB, cut",
            Body::Text("Join Zoom Meeting https://zoom.us/j/85512345678\n".repeat(25_000)),
        ),
    ];

    // DIALIN_BENCH_ONLY=<name>: read that one body for 10 s (for a profiler).
    if let Some(only) = std::env::var_os("DIALIN_BENCH_ONLY") {
        let only = only.to_string_lossy().into_owned();
        if let Some((_, body)) = large.iter().chain(hostile.iter()).find(|(n, _)| *n == only) {
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                black_box(read(body));
            }
        }
        return;
    }

    for (title, group) in [("large", &large), ("hostile", &hostile)] {
        let mut worst: (f64, &str) = (0.0, "");
        for (name, body) in group.iter() {
            let t = time(body, 5);
            let kb = len(body) as f64 / 1024.0;
            let per_kb = t.as_secs_f64() * 1e3 / kb;
            println!(
                "{title}: {name}: {kb:.0} KB in {:.2} ms ({per_kb:.4} ms/KB)",
                t.as_secs_f64() * 1e3
            );
            if per_kb > worst.0 {
                worst = (per_kb, name);
            }
        }
        println!("{title}: worst {:.4} ms/KB ({})", worst.0, worst.1);
    }
}
