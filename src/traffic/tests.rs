//! Unit tests of the shared CSV reader (`traffic`): line ends, headers, cells, durations.

use super::*;

/// CRLF and a lone CR (old Mac style) both become one LF; a CR at the end of a buffer is
/// held until the next byte is known (issue 25, thirteenth pass: a lone CR was kept, so a
/// CR-only file was one line to the csv reader's line count).
#[test]
fn crlf_and_lone_cr_line_ends_become_lf_across_buffer_edges() {
    use std::io::Read;
    let text = b"a,b\r\n1,2\r\nx\ry\r\n\r\r\n\rz\r";
    // A 1- to 4-byte buffer puts a CR at the end of a buffer every way there is.
    for cap in 1..=4 {
        let mut out = Vec::new();
        CrLf::new(std::io::BufReader::with_capacity(cap, &text[..]))
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"a,b\n1,2\nx\ny\n\n\n\nz\n", "capacity {cap}");
    }
}

/// Issue 25, thirteenth pass (tester: a CR-only history reported every problem at line 1):
/// every row and every problem is at its own line with LF, CRLF, CR-only and mixed line ends,
/// blank lines included, and the cells read are the same.
#[test]
fn every_line_end_style_reports_the_same_lines_and_cells() {
    let dir = std::env::temp_dir().join(format!("omnisim-ends-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("h.csv");
    let lf = "id,arrival\nx,1\n\ny,abc\nz,\"2\"\n\n\nw,oops\n";
    let mixed = "id,arrival\rx,1\r\n\ny,abc\rz,\"2\"\n\r\n\rw,oops\r";
    let mut seen = Vec::new();
    for text in [
        lf.to_string(),
        lf.replace('\n', "\r\n"),
        lf.replace('\n', "\r"),
        mixed.to_string(),
    ] {
        std::fs::write(&path, &text).unwrap();
        let mut p = Problems::new("h.csv");
        let mut rows = Vec::new();
        read(
            &path,
            &mut p,
            &[&["arrival"]],
            &["id", "arrival"],
            |r, p| {
                let cell = r.cell("arrival").unwrap_or("").to_string();
                if cell.parse::<f64>().is_err() {
                    r.problem(p, "arrival", "not a number");
                }
                rows.push((r.line, r.cell("id").unwrap_or("").to_string(), cell));
            },
        );
        let problems: Vec<String> = p.list.iter().map(|d| d.to_string()).collect();
        seen.push((rows, problems));
    }
    assert_eq!(
        seen[0].0.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![2, 4, 5, 8]
    );
    assert_eq!(seen[0].1.len(), 2, "{:?}", seen[0].1);
    assert!(seen[0].1[0].starts_with("h.csv:4:2"), "{:?}", seen[0].1);
    assert!(seen[0].1[1].starts_with("h.csv:8:2"), "{:?}", seen[0].1);
    for (i, s) in seen.iter().enumerate().skip(1) {
        assert_eq!(s, &seen[0], "style {i}");
    }
    // The header names read by `header_names` (a reader's hint) are the same too.
    std::fs::write(&path, "id,arrival\rx,1\r").unwrap();
    assert_eq!(header_names(&path), vec!["id", "arrival"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_windows_file_reports_its_own_line_numbers() {
    let dir = std::env::temp_dir().join(format!("omnisim-crlf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("h.csv");
    std::fs::write(&path, "id,arrival\r\nx,1\r\ny,abc\r\n").unwrap();
    let mut p = Problems::new("h.csv");
    let mut lines = Vec::new();
    read(&path, &mut p, &[&["arrival"]], &[], |r, _| {
        lines.push(r.line)
    });
    assert_eq!(lines, vec![2, 3]);
    std::fs::write(&path, "").unwrap();
    let mut p = Problems::new("h.csv");
    assert!(read(&path, &mut p, &[&["arrival"]], &[], |_, _| {}).is_none());
    assert!(format!("{:?}", p).contains("the file is empty"), "{p:?}");
}

/// Issue 25, sixth pass (tester): a row after blank lines is reported at its own line
/// (roster.csv line 5 after two blank lines was "line 3"), with LF or CRLF line ends.
#[test]
fn a_row_after_blank_lines_reports_its_own_line() {
    let dir = std::env::temp_dir().join(format!("omnisim-blank-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("r.csv");
    for text in [
        "agent,queues\nann,q\n\n\nbob,q,9\n\ncarl,q\n\n\n\ndan,q",
        "agent,queues\r\nann,q\r\n\r\n\r\nbob,q,9\r\n\r\ncarl,q\r\n\r\n\r\n\r\ndan,q\r\n",
        "\nagent,queues\nann,q\n\n\nbob,q,9\n\ncarl,q\n\n\n\ndan,q\n\n",
    ] {
        let first = if text.starts_with('\n') { 1 } else { 0 };
        std::fs::write(&path, text).unwrap();
        let mut p = Problems::new("r.csv");
        let mut lines = Vec::new();
        read(
            &path,
            &mut p,
            &[&["agent"]],
            &["agent", "queues"],
            |r, _| lines.push((r.cell("agent").unwrap_or("").to_string(), r.line)),
        );
        let want: Vec<(String, u64)> = [("ann", 2), ("carl", 7), ("dan", 11)]
            .iter()
            .map(|(a, l)| (a.to_string(), l + first))
            .collect();
        assert_eq!(lines, want, "{text:?}");
        let d = p.finish();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].line, Some(5 + first as usize), "{d:?}");
    }
}

#[test]
fn durations_in_both_forms() {
    assert_eq!(
        parse_csv_duration("90").unwrap(),
        SimDuration::from_secs(90)
    );
    assert_eq!(
        parse_csv_duration("0.25").unwrap(),
        SimDuration::from_millis(250)
    );
    assert_eq!(
        parse_csv_duration("1m30s").unwrap(),
        SimDuration::from_secs(90)
    );
    assert!(parse_csv_duration("-3").unwrap_err().contains("≥ 0"));
    assert!(parse_csv_duration("soon").is_err());
    assert_eq!(
        parse_csv_duration("0:04:30").unwrap(),
        SimDuration::from_secs(270)
    );
    assert_eq!(
        parse_csv_duration("1:00:05").unwrap(),
        SimDuration::from_secs(3605)
    );
    assert_eq!(
        parse_csv_duration("04:30").unwrap(),
        SimDuration::from_secs(270)
    );
    assert!(parse_csv_duration("4:75").is_err());
    // Issue 25: absurd durations are refused, not clamped (10³⁰⁰ s was read as 292 million
    // years); 400 days is the longest run, so it is still a duration.
    for s in [
        "1e15",
        "1e300",
        "18446744073709551616",
        "9600:00:01",
        "401d",
    ] {
        let e = parse_csv_duration(s).unwrap_err();
        assert!(e.contains("longer than 400 days"), "{s}: {e}");
    }
    assert_eq!(
        parse_csv_duration("34560000").unwrap(),
        SimDuration::from_secs(400 * 86_400)
    );
}

#[test]
fn aht_factor_steps() {
    let p = AhtProfile(vec![(SimTime(1_000), 2.0), (SimTime(5_000), 0.5)]);
    assert_eq!(p.factor(SimTime(0)), 1.0);
    assert_eq!(p.factor(SimTime(1_000)), 2.0);
    assert_eq!(p.factor(SimTime(4_999)), 2.0);
    assert_eq!(p.factor(SimTime(9_000)), 0.5);
}

/// Issue 25 leftover: a row of only commas (`,,,`, a spreadsheet's empty row) was reported as
/// one "is empty" error per required cell in the roster, history and forecast files alike;
/// it is now skipped as a blank line is (docs/scenario-format.md), with one warning naming
/// its lines, in every reader (they all read through `read`).
#[test]
fn a_row_of_only_commas_is_skipped_as_a_blank_line_with_a_warning() {
    let dir = std::env::temp_dir().join(format!("omnisim-commas-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("r.csv");
    std::fs::write(&path, "agent,queues\nann,q\n,\n , \nbob,q\n,,,\n").unwrap();
    let mut p = Problems::new("r.csv");
    let mut lines = Vec::new();
    read(
        &path,
        &mut p,
        &[&["agent"]],
        &["agent", "queues"],
        |r, _| lines.push(r.line),
    );
    assert_eq!(lines, vec![2, 5]);
    assert!(!p.any(), "{p:?}");
    let w = &p.warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].line, Some(3));
    assert!(
        w[0].message.contains("3 rows of only empty cells")
            && w[0].message.contains("lines 3, 4, 6"),
        "{}",
        w[0].message
    );
}
