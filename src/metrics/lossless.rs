//! Lossless (de)serialization helpers for [`RepMetrics`](super::RepMetrics), used by sharded
//! runs: HdrHistograms as HdrHistogram V2 bytes in base64 (which round-trips every count
//! exactly), and `i128` integrals as decimal strings (JSON numbers lose precision past 2^53 in
//! most readers).
//!
//! Use with `#[serde(with = "…")]` on the fields.

/// An HdrHistogram `Histogram<u64>` as the base64 text of its V2 serialization.
pub mod histogram {
    use base64::Engine as _;
    use hdrhistogram::serialization::{Deserializer as HdrDe, Serializer as _, V2Serializer};
    use hdrhistogram::Histogram;
    use serde::{de::Error as _, ser::Error as _, Deserialize, Deserializer, Serializer};

    /// Serializes `h` as base64 V2 bytes.
    pub fn serialize<S: Serializer>(h: &Histogram<u64>, s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::new();
        V2Serializer::new()
            .serialize(h, &mut bytes)
            .map_err(|e| S::Error::custom(format!("histogram: {e:?}")))?;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// Reads base64 V2 bytes back; the histogram auto-resizes like a freshly made one.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Histogram<u64>, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| D::Error::custom(format!("histogram: bad base64: {e}")))?;
        let mut h: Histogram<u64> = HdrDe::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| D::Error::custom(format!("histogram: {e:?}")))?;
        h.auto(true);
        Ok(h)
    }
}

/// An `i128` as a decimal string.
pub mod i128_str {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    /// Writes the decimal string.
    pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Reads the decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|e| D::Error::custom(format!("bad integer {text:?}: {e}")))
    }
}

/// A `Vec<i128>` as decimal strings.
pub mod i128_vec {
    use serde::{de::Error as _, ser::SerializeSeq, Deserialize, Deserializer, Serializer};

    /// Writes the decimal strings.
    pub fn serialize<S: Serializer>(v: &[i128], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for x in v {
            seq.serialize_element(&x.to_string())?;
        }
        seq.end()
    }

    /// Reads the decimal strings.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i128>, D::Error> {
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(|t| {
                t.parse()
                    .map_err(|e| D::Error::custom(format!("bad integer {t:?}: {e}")))
            })
            .collect()
    }
}

/// A `u128` as a decimal string.
pub mod u128_str {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    /// Writes the decimal string.
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Reads the decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|e| D::Error::custom(format!("bad integer {text:?}: {e}")))
    }
}

/// A [`SimTime`](crate::time::SimTime) as its milliseconds.
pub mod sim_time {
    use crate::time::SimTime;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the milliseconds.
    pub fn serialize<S: Serializer>(v: &SimTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(v.0)
    }

    /// Reads the milliseconds.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SimTime, D::Error> {
        Ok(SimTime(u64::deserialize(d)?))
    }
}
