//! [`SlDefinition`]: which conversations the service level is a fraction of, and the one formula
//! every report (summary, per queue, per interval) uses for it and for the abandonment rate.
//!
//! Industry tools differ in the denominator of the service level (Genesys, Five9 and NICE let
//! the user choose) and in whether "short abandons" — customers who hang up within a few
//! seconds, before anyone could have answered — count against it. omnisim's default follows
//! the contract: answered within the threshold ÷ (answered + abandoned).

use serde::{Deserialize, Serialize};

/// The denominator of the service level (`[scenario] service_level_definition`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlDefinition {
    /// Answered within the threshold ÷ (answered + abandoned − short abandons). The default.
    #[default]
    AnsweredAndAbandoned,
    /// Answered within the threshold ÷ answered.
    Answered,
    /// Answered within the threshold ÷ (arrived − short abandons).
    Offered,
}

impl SlDefinition {
    /// Every definition with its scenario name.
    pub const ALL: [(&'static str, SlDefinition); 3] = [
        ("answered_and_abandoned", SlDefinition::AnsweredAndAbandoned),
        ("answered", SlDefinition::Answered),
        ("offered", SlDefinition::Offered),
    ];

    /// The scenario name (`"answered_and_abandoned"`).
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("answered_and_abandoned", |(n, _)| n)
    }
}

/// The counts a service level and an abandonment rate are computed from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlCounts {
    /// Conversations that arrived.
    pub arrived: u64,
    /// Answered (reached Active at least once).
    pub answered: u64,
    /// Answered within the service-level threshold.
    pub answered_in_sl: u64,
    /// Abandoned, short abandons included.
    pub abandoned: u64,
    /// Abandoned within `short_abandon` (0 when it is not set).
    pub short_abandoned: u64,
}

impl SlCounts {
    /// The service level under `def`; `None` when its denominator is 0 (no data).
    pub fn service_level(&self, def: SlDefinition) -> Option<f64> {
        let den = match def {
            SlDefinition::AnsweredAndAbandoned => {
                (self.answered + self.abandoned).saturating_sub(self.short_abandoned)
            }
            SlDefinition::Answered => self.answered,
            SlDefinition::Offered => self.arrived.saturating_sub(self.short_abandoned),
        };
        (den > 0).then(|| self.answered_in_sl as f64 / den as f64)
    }

    /// (abandoned − short abandons) ÷ (arrived − short abandons); `None` when nothing arrived.
    pub fn abandonment_rate(&self) -> Option<f64> {
        let den = self.arrived.saturating_sub(self.short_abandoned);
        (den > 0).then(|| self.abandoned.saturating_sub(self.short_abandoned) as f64 / den as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand count: 7 customers, 4 answered (3 within 20 s), 3 abandoned (1 within
    /// 20 s).
    #[test]
    fn hand_count() {
        let plain = SlCounts {
            arrived: 7,
            answered: 4,
            answered_in_sl: 3,
            abandoned: 3,
            short_abandoned: 0,
        };
        assert_eq!(plain.service_level(SlDefinition::Answered), Some(0.75));
        assert_eq!(plain.service_level(SlDefinition::Offered), Some(3.0 / 7.0));
        assert_eq!(
            plain.service_level(SlDefinition::AnsweredAndAbandoned),
            Some(3.0 / 7.0)
        );
        let short = SlCounts {
            short_abandoned: 1,
            ..plain
        };
        assert_eq!(short.service_level(SlDefinition::default()), Some(0.5));
        assert_eq!(short.abandonment_rate(), Some(2.0 / 6.0));
        assert_eq!(
            SlCounts::default().service_level(SlDefinition::Answered),
            None
        );
        assert_eq!(SlCounts::default().abandonment_rate(), None);
    }
}
