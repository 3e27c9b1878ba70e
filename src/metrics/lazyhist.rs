//! [`LazyHist`]: a 3-significant-digit HdrHistogram of milliseconds built on its first record.
//!
//! A fresh auto-resizing `Histogram::new(3)` holds about 16 kB of buckets. The recorder keeps
//! two per queue (the wait, the transfer wait) and a center of thousands of queues paid them
//! per replication whether or not a queue ever answered anything (issue 28, "memory flat").
//! A `LazyHist` reads as an empty histogram until something is recorded or added, and writes
//! the same bytes as one (`summary.json` and the replication files are unchanged).

use std::sync::OnceLock;

use hdrhistogram::Histogram;

/// A fresh histogram as the recorder makes them: 3 significant digits, auto-resizing.
pub(crate) fn new_hist() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant digits is valid")
}

/// The empty histogram an unbuilt [`LazyHist`] reads as (one per process).
fn empty() -> &'static Histogram<u64> {
    static EMPTY: OnceLock<Histogram<u64>> = OnceLock::new();
    EMPTY.get_or_init(new_hist)
}

/// A histogram of milliseconds that allocates its buckets on the first record (or the first
/// non-empty addition, or the first mutable borrow).
///
/// Reads (`Deref`) see `Histogram::new(3)` until then, so every figure computed from it is the
/// one a histogram built up front gave; a mutable borrow (`DerefMut`) builds it.
#[derive(Clone, Debug, Default)]
pub struct LazyHist(Option<Histogram<u64>>);

impl LazyHist {
    /// Records one value (ms), building the histogram first if needed.
    #[inline]
    pub fn record(&mut self, v: u64) {
        self.built().record(v).expect("auto-resizing histogram");
    }

    /// Records `n` copies of `v` (ms); nothing (and nothing built) when `n` is 0.
    pub fn record_n(&mut self, v: u64, n: u64) {
        if n > 0 {
            self.built()
                .record_n(v, n)
                .expect("auto-resizing histogram");
        }
    }

    /// Adds `from` ([`add_histogram`](super::add_histogram)); an empty `from` adds nothing
    /// and builds nothing.
    pub fn add(&mut self, from: &Histogram<u64>) {
        if !from.is_empty() {
            super::add_histogram(self.built(), from);
        }
    }

    /// Whether the buckets have been allocated (a record, an addition or a mutable borrow).
    pub fn is_built(&self) -> bool {
        self.0.is_some()
    }

    /// The histogram, built (empty, 3 significant digits) if it was not.
    #[inline]
    fn built(&mut self) -> &mut Histogram<u64> {
        self.0.get_or_insert_with(new_hist)
    }
}

impl From<Histogram<u64>> for LazyHist {
    fn from(h: Histogram<u64>) -> Self {
        LazyHist(Some(h))
    }
}

impl std::ops::Deref for LazyHist {
    type Target = Histogram<u64>;

    fn deref(&self) -> &Histogram<u64> {
        self.0.as_ref().unwrap_or_else(|| empty())
    }
}

impl std::ops::DerefMut for LazyHist {
    fn deref_mut(&mut self) -> &mut Histogram<u64> {
        self.built()
    }
}

/// Serde for a [`LazyHist`] field: the bytes of [`lossless::histogram`](super::lossless::histogram)
/// (an unbuilt one as the fresh histogram it reads as); read back built.
pub(crate) mod serde_lazy {
    use super::LazyHist;
    use serde::{Deserializer, Serializer};

    /// Serializes the histogram `h` reads as.
    pub(crate) fn serialize<S: Serializer>(h: &LazyHist, s: S) -> Result<S::Ok, S::Error> {
        super::super::lossless::histogram::serialize(h, s)
    }

    /// Reads the histogram back (built, as before laziness).
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<LazyHist, D::Error> {
        super::super::lossless::histogram::deserialize(d).map(LazyHist::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(h: &Histogram<u64>) -> Vec<u8> {
        use hdrhistogram::serialization::{Serializer as _, V2Serializer};
        let mut b = Vec::new();
        V2Serializer::new().serialize(h, &mut b).unwrap();
        b
    }

    /// Unbuilt, it reads and serializes as a fresh histogram; reads and empty additions do
    /// not build it.
    #[test]
    fn unbuilt_reads_as_a_fresh_histogram() {
        let mut h = LazyHist::default();
        assert_eq!(h.len(), 0);
        assert_eq!(h.value_at_quantile(0.5), 0);
        h.add(&new_hist());
        h.record_n(5, 0);
        assert!(!h.is_built());
        assert_eq!(bytes(&h), bytes(&new_hist()));
        let json = serde_json::to_string(&Wrap { h: h.clone() }).unwrap();
        let back: Wrap = serde_json::from_str(&json).unwrap();
        assert_eq!(bytes(&back.h), bytes(&new_hist()));
    }

    /// Built by records and additions, it holds exactly what an eager histogram does.
    #[test]
    fn records_and_additions_match_an_eager_histogram() {
        let (mut lazy, mut eager) = (LazyHist::default(), new_hist());
        for v in [0u64, 3, 999, 86_400_000_000] {
            lazy.record(v);
            eager.record(v).unwrap();
        }
        lazy.record_n(0, 4);
        eager.record_n(0, 4).unwrap();
        assert!(lazy.is_built());
        assert_eq!(bytes(&lazy), bytes(&eager));
        let (mut into_lazy, mut into_eager) = (LazyHist::default(), new_hist());
        into_lazy.add(&eager);
        super::super::add_histogram(&mut into_eager, &eager);
        assert_eq!(bytes(&into_lazy), bytes(&into_eager));
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Wrap {
        #[serde(with = "serde_lazy")]
        h: LazyHist,
    }
}
