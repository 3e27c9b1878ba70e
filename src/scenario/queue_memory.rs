//! The memory of many queues (issue 25, twelfth pass): each queue costs its metrics in every
//! replication whether or not a conversation ever reaches it (two exact wait histograms of
//! about 16 KB each, the interval rows, the queue-length gauge) besides its engine and report
//! state. The tester's 40,000 queues with one agent and 402 conversations took 2.35 GB; no
//! limit said so. [`check`] estimates the memory from the queue count and the replications,
//! warns above [`WARN_QUEUE_BYTES`] and refuses above [`MAX_QUEUE_BYTES`] unless `--allow-huge`,
//! at `[[queues]]`'s first entry.

use super::diag::Ctx;
use super::limits::{at, LoadOptions, HINT};
use super::spanned::Table;
use super::types::Scenario;
use crate::text::plural;

/// Measured memory of one queue in a run of one replication, in bytes (peak RSS with
/// `/usr/bin/time -f %M omnisim run`, fast profile, one agent serving every queue, 0.01
/// arrivals/h per queue, horizon 1 h: 10,000 queues 441,268 KB (44 KB each), 20,000 queues
/// with 20 agents 826,880 KB (41 KB), 40,000 queues 2.35 GB (59 KB)).
pub const BYTES_PER_QUEUE: u64 = 60_000;

/// Measured memory one more replication adds per queue, in bytes: 10,000 queues with
/// `--replications 8` peaked at 1.47 GB against 441 MB with one, (1,470 − 441) MB ÷ 7 ÷ 10,000
/// ≈ 15 KB (the finished replications' metrics are kept to the end).
pub const BYTES_PER_QUEUE_REPLICATION: u64 = 15_000;

/// Above this estimated queue memory (1 GB) a scenario loads with a warning.
pub const WARN_QUEUE_BYTES: u64 = 1_000_000_000;

/// Most estimated queue memory (16 GB) a scenario may need unless `--allow-huge`.
pub const MAX_QUEUE_BYTES: u64 = 16_000_000_000;

/// The estimated memory of `queues` queues over `replications` replications, in bytes:
/// `queues × (BYTES_PER_QUEUE + BYTES_PER_QUEUE_REPLICATION × (replications − 1))`.
pub fn queue_bytes(queues: u64, replications: u32) -> u64 {
    let per = BYTES_PER_QUEUE.saturating_add(
        BYTES_PER_QUEUE_REPLICATION.saturating_mul(u64::from(replications.max(1)) - 1),
    );
    queues.saturating_mul(per)
}

/// Warns when the queues of `sc` are estimated to need more than [`WARN_QUEUE_BYTES`] (with
/// `allow_huge` too) and refuses more than [`MAX_QUEUE_BYTES`] (unless `opts.allow_huge`), at
/// `queues[0].name`, giving the count, the replications the run will have (`opts.replications`,
/// the command line's `--replications`, else the file's: a sixteenth tester's `--replications 4`
/// was warned about "1 replication(s)" and estimated for one) and the estimate.
pub(crate) fn check(cx: &mut Ctx<'_>, root: &Table<'_, '_>, sc: &Scenario, opts: &LoadOptions) {
    let n = sc.queues.len() as u64;
    let replications = opts.replications.unwrap_or(sc.replications);
    let bytes = queue_bytes(n, replications);
    if bytes <= WARN_QUEUE_BYTES {
        return;
    }
    let refuse = bytes > MAX_QUEUE_BYTES && !opts.allow_huge;
    let gb = bytes as f64 / 1e9;
    let head = format!(
        "{n} queues over {}{} need about {gb:.1} GB ({} KB a queue, {} KB more a queue for \
         each further replication, whether or not conversations reach it)",
        plural(u64::from(replications), "replication"),
        match opts.replications {
            Some(r) => format!(" (--replications {r})"),
            None => String::new(),
        },
        BYTES_PER_QUEUE / 1000,
        BYTES_PER_QUEUE_REPLICATION / 1000
    );
    let (path, span) = at(root, "queues", Some(0), "name");
    if refuse {
        cx.report(
            &path,
            span,
            format!(
                "{head}: over the limit of {} GB",
                MAX_QUEUE_BYTES / 1_000_000_000
            ),
            Some(HINT.into()),
        );
    } else {
        cx.warn(
            &path,
            span,
            format!("{head}: over {} GB", WARN_QUEUE_BYTES / 1_000_000_000),
            Some("merge queues that share agents and rules, or run fewer replications".into()),
        );
    }
}
