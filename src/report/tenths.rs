//! [`push_tenths`]: a number with one decimal, exactly as `format!("{v:.1}")` writes it, for
//! the HTML report's chart coordinates (two per point, about 13,000 in a 333-hour run's
//! charts). The standard formatter's exact mode (Grisu with a Dragon fallback) costs about a
//! thousand instructions a number; this is integer arithmetic on the float's bits.

use std::fmt::Write;

/// Appends `v` with one decimal to `o`: the same text as `write!(o, "{v:.1}")` for every `f64`
/// (exact decimal rounding of the binary value, ties to even; a minus sign for every negative
/// value, `-0.0` included). NaN, infinities and magnitudes of 10^15 and more go through the
/// standard formatter.
pub(crate) fn push_tenths(o: &mut String, v: f64) {
    let bits = v.to_bits();
    let negative = bits >> 63 == 1;
    let biased = ((bits >> 52) & 0x7FF) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    if biased == 0x7FF || v.abs() >= 1e15 {
        let _ = write!(o, "{v:.1}");
        return;
    }
    // v = m · 2^e exactly; |v| < 10^15 < 2^50, so m · 10 fits a u128 and q below a u64.
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    // q: |v| in tenths, rounded to nearest, ties to even.
    let q: u64 = if e >= 0 {
        (m << e) * 10
    } else {
        let s = e.unsigned_abs();
        if s >= 64 {
            // m · 10 < 2^57: under half a tenth.
            0
        } else {
            let num = u128::from(m) * 10;
            let q = (num >> s) as u64;
            let rest = num & ((1u128 << s) - 1);
            let half = 1u128 << (s - 1);
            q + u64::from(rest > half || (rest == half && q & 1 == 1))
        }
    };
    let mut buf = [0u8; 24];
    let mut i = buf.len() - 2;
    buf[i] = b'.';
    buf[i + 1] = b'0' + (q % 10) as u8;
    let mut n = q / 10;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if negative {
        i -= 1;
        buf[i] = b'-';
    }
    o.extend(buf[i..].iter().map(|&b| char::from(b)));
}

#[cfg(test)]
mod tests {
    use super::push_tenths;

    fn check(v: f64) {
        let mut o = String::from("x");
        push_tenths(&mut o, v);
        assert_eq!(o, format!("x{v:.1}"), "{v:e} ({:#x})", v.to_bits());
    }

    #[test]
    fn edge_values_match_the_standard_formatter() {
        for v in [
            0.0,
            -0.0,
            0.05,
            -0.05,
            0.04,
            -0.04,
            0.25,
            -0.25,
            0.75,
            1.25,
            2.5,
            0.15,
            0.35,
            9.95,
            99.95,
            123.45,
            560.0,
            44.0,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            999_999_999_999_999.9,
            1e15,
            -1e15,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            check(v);
        }
    }

    #[test]
    fn ties_and_tenths_match_the_standard_formatter() {
        // (2k + 1) / 4 are the exact ties at one decimal; k / 20 and k / 10 sit on or next to
        // a tenth; k / 3 never does.
        for k in 0..200_000u64 {
            let t = (2 * k + 1) as f64 / 4.0;
            check(t);
            check(-t);
            check(k as f64 / 20.0);
            check(k as f64 * 0.1);
            check(k as f64 / 3.0);
        }
    }

    #[test]
    fn random_values_match_the_standard_formatter() {
        let mut x: u64 = 0x1234_5678_9ABC_DEF1;
        for _ in 0..300_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            check(f64::from_bits(x));
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            check(u * 600.0 - 20.0);
            check(u * 1e14);
            check(u * 1e-3);
        }
    }
}
