//! A tiny SVG writer for the benchmark plots: a bar chart and a line chart, deterministic
//! text output (fixed number formatting, no timestamps).

use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A "nice" axis maximum (1, 2 or 5 times a power of ten) at or above `v`.
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= v {
            return m * p;
        }
    }
    10.0 * p
}

const W: f64 = 720.0;
const H: f64 = 420.0;
const L: f64 = 80.0;
const R: f64 = 20.0;
const T: f64 = 50.0;
const B: f64 = 110.0;

fn frame(s: &mut String, title: &str, ylabel: &str, ymax: f64) {
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(s, "<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>");
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>",
        W / 2.0,
        esc(title)
    );
    let _ = writeln!(
        s,
        "<text x=\"16\" y=\"{}\" transform=\"rotate(-90 16 {})\" text-anchor=\"middle\">{}</text>",
        (T + H - B) / 2.0,
        (T + H - B) / 2.0,
        esc(ylabel)
    );
    let ph = H - T - B;
    for i in 0..=5 {
        let v = ymax * i as f64 / 5.0;
        let y = H - B - ph * i as f64 / 5.0;
        let _ = writeln!(
            s,
            "<line x1=\"{L}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - R,
            L - 6.0,
            y + 4.0,
            fmt(v)
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"{L}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>",
        H - B,
        W - R,
        H - B
    );
}

fn fmt(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Bars with a value label each; `note` goes under the axis.
pub fn bar_chart(title: &str, ylabel: &str, bars: &[(String, f64)], note: &str) -> String {
    let mut s = String::new();
    let ymax = nice_max(bars.iter().map(|b| b.1).fold(0.0, f64::max));
    frame(&mut s, title, ylabel, ymax);
    let n = bars.len().max(1) as f64;
    let slot = (W - L - R) / n;
    let ph = H - T - B;
    for (i, (label, v)) in bars.iter().enumerate() {
        let h = ph * v / ymax;
        let x = L + slot * i as f64 + slot * 0.15;
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#4a7ebb\"/>",
            H - B - h,
            slot * 0.7
        );
        let cx = x + slot * 0.35;
        let _ = writeln!(
            s,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            H - B - h - 4.0,
            fmt(*v)
        );
        for (k, part) in label.split('\n').enumerate() {
            let _ = writeln!(
                s,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                H - B + 16.0 + 14.0 * k as f64,
                esc(part)
            );
        }
    }
    let _ = writeln!(
        s,
        "<text x=\"{L}\" y=\"{}\" font-size=\"10\">{}</text>\n</svg>",
        H - 10.0,
        esc(note)
    );
    s
}

/// Lines over shared x values; each series is (name, y per x).
pub fn line_chart(
    title: &str,
    xlabel: &str,
    ylabel: &str,
    xs: &[f64],
    series: &[(String, Vec<f64>)],
    note: &str,
) -> String {
    let mut s = String::new();
    let ymax = nice_max(
        series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold(0.0, f64::max),
    );
    frame(&mut s, title, ylabel, ymax);
    let (xmin, xmax) = (
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let span = if xmax > xmin { xmax - xmin } else { 1.0 };
    let ph = H - T - B;
    let px = |x: f64| L + 20.0 + (W - L - R - 40.0) * (x - xmin) / span;
    let py = |y: f64| H - B - ph * y / ymax;
    for &x in xs {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            px(x),
            H - B + 16.0,
            fmt(x)
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        W / 2.0,
        H - B + 34.0,
        esc(xlabel)
    );
    let colors = ["#4a7ebb", "#c0504d", "#9bbb59", "#8064a2"];
    for (k, (name, ys)) in series.iter().enumerate() {
        let c = colors[k % colors.len()];
        let pts: Vec<String> = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2\"/>",
            pts.join(" ")
        );
        for (x, y) in xs.iter().zip(ys) {
            let _ = writeln!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{c}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
                px(*x),
                py(*y),
                px(*x),
                py(*y) - 7.0,
                fmt(*y)
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" fill=\"{c}\">{}</text>",
            L + 10.0,
            H - B + 54.0 + 14.0 * k as f64,
            esc(name)
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{L}\" y=\"{}\" font-size=\"10\">{}</text>\n</svg>",
        H - 10.0,
        esc(note)
    );
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn charts_are_wellformed_and_deterministic() {
        let a = super::bar_chart("t", "y", &[("a".into(), 1.5), ("b<".into(), 3.0)], "n");
        assert_eq!(
            a,
            super::bar_chart("t", "y", &[("a".into(), 1.5), ("b<".into(), 3.0)], "n")
        );
        assert!(a.starts_with("<svg") && a.trim_end().ends_with("</svg>") && a.contains("b&lt;"));
        let l = super::line_chart(
            "t",
            "x",
            "y",
            &[0.0, 1.0],
            &[("s".into(), vec![1.0, 2.0])],
            "",
        );
        assert!(l.contains("<polyline"));
        assert_eq!(super::nice_max(3.2), 5.0);
    }
}
