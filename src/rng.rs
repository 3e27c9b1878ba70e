//! Portable seeded random streams, one per (seed, replication, source).
//!
//! Key items: [`stream`], [`Source`], [`SimRng`], and the helpers [`uniform01`] and
//! [`bernoulli`].
//!
//! Every stream's starting state is a mixing function (SplitMix64's finaliser, chained) of all
//! its key parts, so a stream never depends on thread count, on creation order or on how many
//! other streams exist. That is what makes runs reproducible across `--threads` and what gives
//! common random numbers for A/B comparisons: customer *k* draws from `Source::Customer(k)`
//! whatever the routing did before it arrived.
//!
//! ```
//! use omnisim::rng::{stream, Source};
//! let mut a = stream(42, 0, Source::Customer(7));
//! let mut b = stream(42, 0, Source::Customer(7));
//! assert_eq!(a.next_u64(), b.next_u64());
//! let u = a.uniform01();
//! assert!(u > 0.0 && u < 1.0);
//! ```
//!
//! # Why Xoshiro256++, written here
//!
//! `rand`'s `StdRng` is documented as not portable across versions, so omnisim names its
//! generator. [`SimRng`] is Xoshiro256++ (Blackman & Vigna), implemented in this file in a dozen
//! lines: it is among the fastest high-quality 64-bit generators (no 128-bit multiply, unlike
//! PCG-64), has a 2²⁵⁶ − 1 period so streams started at mixed points do not overlap in practice,
//! and since the code lives here no dependency bump can change its output. It implements
//! `rand`'s `TryRng` (hence [`rand::Rng`]), so `rand_distr` distributions sample from it.
//! The golden values in the tests pin the streams.

use std::convert::Infallible;

use rand::TryRng;

/// Where random numbers are used. Each source (and each index within it) gets its own stream.
///
/// The numeric tags are part of the reproducibility contract: changing one changes results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The arrival process of a queue (inter-arrival times), by queue index.
    Arrivals(u32),
    /// One customer's own draws (handle time, patience, sentiment…), by arrival index.
    Customer(u64),
    /// One agent's draws (accept delays, rejections), by agent index.
    Agent(u32),
    /// One supervisor's draws, by supervisor index.
    Supervisor(u32),
    /// A supervisor policy or script, by policy index.
    Policy(u32),
    /// The load driver's draws, by task index.
    Load(u32),
    /// Anything else: a caller-chosen tag (use values ≥ 1000 to stay clear of future sources)
    /// and index.
    Other {
        /// The tag.
        tag: u32,
        /// The index within the tag.
        index: u64,
    },
}

impl Source {
    /// The (tag, index) pair fed to the mixing function.
    fn parts(self) -> (u64, u64) {
        match self {
            Source::Arrivals(i) => (1, u64::from(i)),
            Source::Customer(i) => (2, i),
            Source::Agent(i) => (3, u64::from(i)),
            Source::Supervisor(i) => (4, u64::from(i)),
            Source::Policy(i) => (5, u64::from(i)),
            Source::Load(i) => (6, u64::from(i)),
            Source::Other { tag, index } => ((1 << 32) | u64::from(tag), index),
        }
    }
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's finaliser: a bijection on `u64` with full avalanche.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One SplitMix64 step: advances `state` and returns the next output.
#[inline]
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(GOLDEN_GAMMA);
    mix64(*state)
}

/// The 64-bit key of a stream: every part is folded in through [`mix64`].
fn stream_key(seed: u64, replication: u32, source: Source) -> u64 {
    let (_, index) = source.parts();
    StreamFamily::of(seed, replication, source).key(index)
}

/// The streams of one kind of source in one replication (every customer, say), with the
/// (seed, replication, kind) part of the key folded in once: a member's stream then costs one
/// mixing step instead of four. `StreamFamily::of(seed, rep, s).member(i)` is exactly
/// `stream(seed, rep, s')` where `s'` is `s` with index `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamFamily(u64);

impl StreamFamily {
    /// The family of `source`'s kind (its index is ignored).
    pub fn of(seed: u64, replication: u32, source: Source) -> Self {
        let (tag, _) = source.parts();
        let mut h = mix64(seed ^ 0x6F6D_6E69_7369_6D00); // "omnisim\0"
        for part in [u64::from(replication), tag] {
            h = mix64(h.wrapping_add(GOLDEN_GAMMA) ^ part);
        }
        StreamFamily(h)
    }

    #[inline]
    fn key(self, index: u64) -> u64 {
        mix64(self.0.wrapping_add(GOLDEN_GAMMA) ^ index)
    }

    /// The stream of member `index`.
    #[inline]
    pub fn member(self, index: u64) -> SimRng {
        SimRng::from_key(self.key(index))
    }
}

/// The random stream for `source` in replication `replication` of a run seeded with `seed`.
pub fn stream(seed: u64, replication: u32, source: Source) -> SimRng {
    SimRng::from_key(stream_key(seed, replication, source))
}

/// omnisim's portable generator: Xoshiro256++ (see the [module docs](self) for why).
///
/// Not `Copy`, so a stream cannot be duplicated by accident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimRng {
    s: [u64; 4],
}

impl SimRng {
    /// A generator whose state is four SplitMix64 outputs starting from `key`
    /// (never all zero, since SplitMix64 outputs are distinct).
    pub fn from_key(key: u64) -> Self {
        let mut st = key;
        SimRng {
            s: [
                splitmix64(&mut st),
                splitmix64(&mut st),
                splitmix64(&mut st),
                splitmix64(&mut st),
            ],
        }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform draw in the open interval (0, 1); see [`uniform01`].
    #[inline]
    pub fn uniform01(&mut self) -> f64 {
        uniform01(self)
    }

    /// An Exp(1) draw; see [`exp1`].
    #[inline]
    pub fn exp1(&mut self) -> f64 {
        exp1(self)
    }

    /// `true` with probability `p`; see [`bernoulli`].
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        bernoulli(self, p)
    }
}

impl TryRng for SimRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_u64() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// A uniform draw in the open interval (0, 1) from the top 53 bits of one `u64`:
/// `(x + 0.5) · 2⁻⁵³`. Never 0, so `ln` is finite; never 1, so `ln(1 − u)` is finite too.
#[inline]
pub fn uniform01<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    ((rng.next_u64() >> 11) as f64 + 0.5) * SCALE
}

/// An Exp(1) draw: `rand_distr`'s ziggurat (`Exp1`), which takes one `u64` and a table look-up
/// in about 98% of draws and calls `ln` only in the rare tail, where inverse transform
/// (−ln *U*) pays a `ln` every time. Every exponential in the simulator (inter-arrival gaps,
/// exponential durations, profile inversion, connection drops) comes from here.
#[inline]
pub fn exp1<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    use rand_distr::Distribution;
    rand_distr::Exp1.sample(rng)
}

/// `true` with probability `p` (`p ≤ 0` is never, `p ≥ 1` always; NaN is never).
/// Always consumes exactly one `u64`, so streams stay aligned whatever `p` is.
#[inline]
pub fn bernoulli<R: rand::Rng + ?Sized>(rng: &mut R, p: f64) -> bool {
    uniform01(rng) < p
}

/// A uniform index in `0..n` (`n > 0`) by multiply-high; bias below `n / 2⁶⁴`, negligible here.
/// Returns 0 when `n` is 0.
#[inline]
pub fn index<R: rand::Rng + ?Sized>(rng: &mut R, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_family_member_is_the_same_stream() {
        for source in [
            Source::Customer(12_345),
            Source::Other {
                tag: 1001,
                index: 7,
            },
            Source::Agent(3),
        ] {
            let index = source.parts().1;
            let fam = StreamFamily::of(42, 3, source);
            assert_eq!(fam.member(index), stream(42, 3, source));
        }
    }
    use super::*;

    fn take(mut r: SimRng, n: usize) -> Vec<u64> {
        (0..n).map(|_| r.next_u64()).collect()
    }

    #[test]
    fn same_key_same_sequence() {
        let a = take(stream(1, 2, Source::Agent(3)), 100);
        let b = take(stream(1, 2, Source::Agent(3)), 100);
        assert_eq!(a, b);
    }

    #[test]
    fn different_keys_differ() {
        let keys = [
            (1, 0, Source::Agent(0)),
            (2, 0, Source::Agent(0)),
            (1, 1, Source::Agent(0)),
            (1, 0, Source::Agent(1)),
            (1, 0, Source::Supervisor(0)),
            (1, 0, Source::Arrivals(0)),
            (1, 0, Source::Customer(0)),
            (1, 0, Source::Customer(1 << 40)),
            (1, 0, Source::Policy(0)),
            (1, 0, Source::Load(0)),
            (1, 0, Source::Other { tag: 3, index: 0 }),
        ];
        let firsts: Vec<u64> = keys
            .iter()
            .map(|&(s, r, src)| stream(s, r, src).next_u64())
            .collect();
        for i in 0..firsts.len() {
            for j in i + 1..firsts.len() {
                assert_ne!(firsts[i], firsts[j], "{:?} vs {:?}", keys[i], keys[j]);
            }
        }
    }

    /// Pins the streams: if this fails, every seeded result in every report changes.
    #[test]
    fn golden_values() {
        let got = take(stream(42, 0, Source::Customer(0)), 4);
        assert_eq!(got, GOLDEN, "stream(42, 0, Customer(0)) changed");
        // Xoshiro256++ reference: state [1, 2, 3, 4] gives 41943041, 58720359, ...
        let mut r = SimRng { s: [1, 2, 3, 4] };
        assert_eq!(r.next_u64(), 41_943_041);
        assert_eq!(r.next_u64(), 58_720_359);
    }

    const GOLDEN: [u64; 4] = [
        445_574_417_830_984_027,
        14_948_945_784_896_954_764,
        10_235_684_762_357_514_013,
        11_918_919_684_873_184_540,
    ];

    #[test]
    fn uniform01_is_open_and_centred() {
        let mut r = stream(7, 0, Source::Load(0));
        let n = 100_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let u = r.uniform01();
            assert!(u > 0.0 && u < 1.0);
            sum += u;
        }
        // sd of the mean = sqrt(1/12 / n) ≈ 0.00091; allow 5 standard errors.
        assert!((sum / n as f64 - 0.5).abs() < 0.0046);
        assert!(uniform01(&mut ZeroRng) > 0.0);
    }

    #[test]
    fn bernoulli_edges_and_rate() {
        let mut r = stream(7, 0, Source::Load(1));
        assert!(!r.bernoulli(0.0));
        assert!(r.bernoulli(1.0));
        assert!(!r.bernoulli(f64::NAN));
        let n = 100_000;
        let hits = (0..n).filter(|_| r.bernoulli(0.3)).count();
        // sd = sqrt(0.3·0.7/n) ≈ 0.00145; allow 5 standard errors.
        assert!((hits as f64 / n as f64 - 0.3).abs() < 0.0073);
    }

    #[test]
    fn rand_distr_can_sample_from_simrng() {
        use rand_distr::{Distribution, Exp1};
        let mut r = stream(1, 0, Source::Agent(0));
        let x: f64 = Exp1.sample(&mut r);
        assert!(x >= 0.0);
        let mut buf = [0u8; 13];
        rand::Rng::fill_bytes(&mut r, &mut buf);
        assert!(buf.iter().any(|&b| b != 0));
    }

    struct ZeroRng;
    impl TryRng for ZeroRng {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            dst.fill(0);
            Ok(())
        }
    }
}
