//! JUnit XML of a run's thresholds (one test case each, a `<failure>` with the measured value
//! when it fails) and of its invariant check, the pass/fail format CI systems display.

use super::Summary;

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

fn bounds(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("in [{a}, {b}]"),
        (Some(a), None) => format!(">= {a}"),
        (None, Some(b)) => format!("<= {b}"),
        (None, None) => "defined".into(),
    }
}

/// The JUnit XML document: a suite named after the scenario with one test case per threshold
/// plus one for `invariant_violations == 0`.
pub fn render(summary: &Summary) -> String {
    let mut cases = String::new();
    let mut failures = 0;
    let class = escape(&format!("omnisim.{}", summary.scenario));
    for t in &summary.thresholds {
        let name = escape(&format!("{} {}", t.metric, bounds(t.min, t.max)));
        if t.passed {
            cases.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\"/>\n"
            ));
        } else {
            failures += 1;
            let value = t.value.map_or_else(|| "no data".into(), |v| v.to_string());
            let msg = escape(&format!(
                "{} = {value}, expected {}",
                t.metric,
                bounds(t.min, t.max)
            ));
            cases.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\">\n      \
                 <failure message=\"{msg}\" type=\"threshold\">{msg}</failure>\n    </testcase>\n"
            ));
        }
    }
    let inv = summary.invariant_violations;
    if inv == 0 {
        cases.push_str(&format!(
            "    <testcase classname=\"{class}\" name=\"invariant_violations == 0\"/>\n"
        ));
    } else {
        failures += 1;
        cases.push_str(&format!(
            "    <testcase classname=\"{class}\" name=\"invariant_violations == 0\">\n      \
             <failure message=\"invariant_violations = {inv}\" type=\"invariant\">\
             invariant_violations = {inv}</failure>\n    </testcase>\n"
        ));
    }
    let mut tests = summary.thresholds.len() + 1;
    let mut errors = 0;
    let mut properties = String::new();
    if summary.partial {
        // Interrupted: the thresholds were measured on what finished, so the suite must not
        // read as green (a fourteenth tester's CI view showed 5 passing tests for a run cut
        // short). One erroring case says so; `partial` is a property too, as `conform`'s.
        tests += 1;
        errors = 1;
        let msg = escape(&format!(
            "interrupted: {} of {} replications finished; the thresholds above are measured \
             on what finished",
            summary.replications_finished.unwrap_or(0),
            summary.replications
        ));
        cases.push_str(&format!(
            "    <testcase classname=\"{class}\" name=\"the run finished\">\n      \
             <error message=\"{msg}\" type=\"interrupted\">{msg}</error>\n    </testcase>\n"
        ));
        properties =
            "    <properties><property name=\"partial\" value=\"true\"/></properties>\n".into();
    }
    let suite = escape(&summary.scenario);
    let top_errors = if errors > 0 {
        format!(" errors=\"{errors}\"")
    } else {
        String::new()
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"omnisim\" tests=\"{tests}\" failures=\"{failures}\"{top_errors}>\n  \
         <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\" \
         errors=\"{errors}\">\n{properties}{cases}  </testsuite>\n</testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes() {
        assert_eq!(
            escape("a<b & \"c\"'\u{1}"),
            "a&lt;b &amp; &quot;c&quot;&apos;?"
        );
    }
}
