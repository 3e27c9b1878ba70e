//! Plain tables of strings rendered for a terminal (aligned columns) or as GitHub Markdown, and
//! the number format the workflow reports share.

/// Formats a number for a table: integers without decimals, others with up to 4 decimals
/// (trailing zeros dropped); non-finite values as `inf` / `-inf` / `NaN`.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".into()
    } else {
        s.into()
    }
}

/// A number with an explicit sign (`+1.5`, `-2`, `0`).
pub fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", num(x))
    } else {
        num(x)
    }
}

/// Aligned columns separated by two spaces, a rule under the header; the first column is left
/// aligned, the others right aligned.
pub fn text(header: &[&str], rows: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut w: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i].saturating_sub(c.chars().count());
            if i > 0 {
                s.push_str("  ");
            }
            if i == 0 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    let rule: Vec<String> = w.iter().map(|n| "-".repeat(*n)).collect();
    out.push_str(&rule.join("  "));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

/// A GitHub Markdown table; `|` in cells is escaped.
pub fn markdown(header: &[&str], rows: &[Vec<String>]) -> String {
    let esc = |s: &str| s.replace('|', "\\|");
    let mut out = format!(
        "| {} |\n|{}\n",
        header
            .iter()
            .map(|h| esc(h))
            .collect::<Vec<_>>()
            .join(" | "),
        header
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { ":---|" } else { "---:|" })
            .collect::<String>()
    );
    for r in rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(0.650_61), "0.6506");
        assert_eq!(num(-0.000_01), "0");
        assert_eq!(num(-0.0), "0");
        assert_eq!(signed(1.5), "+1.5");
    }

    #[test]
    fn tables() {
        let rows = vec![vec!["a|b".to_string(), "1".to_string()]];
        assert_eq!(
            markdown(&["m", "v"], &rows),
            "| m | v |\n|:---|---:|\n| a\\|b | 1 |\n"
        );
        assert_eq!(
            text(&["metric", "v"], &rows),
            "metric  v\n------  -\na|b     1\n"
        );
    }
}
