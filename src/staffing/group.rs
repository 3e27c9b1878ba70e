//! Which agent group `staff` staffs: the named one, or the scenario's only one
//! ([`pick_group`]), and why it could not be decided ([`GroupError`]).

use super::StaffError;
use crate::scenario::Scenario;

/// Which agent group to staff could not be decided.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GroupError {
    /// Every agent comes from `[traffic] roster`: there is no group to replace.
    #[error(
        "staffing replaces an [[agent_groups]] group with agents per interval; this scenario's \
         {rostered} agents all come from [traffic] roster. Add a group serving the queues to \
         staff (count = 0 is allowed): its requirement is then what it adds to the roster \
         agents"
    )]
    OnlyRoster {
        /// How many roster agents there are.
        rostered: usize,
    },
    /// The named group does not exist.
    #[error(
        "{name:?}: no such agent group{}{}; groups: {}",
        if *roster_agent { " (it is a roster agent, not a group)" } else { "" },
        closest.as_ref().map(|c| format!(" (did you mean {c:?}?)")).unwrap_or_default(),
        groups.join(", ")
    )]
    NoSuch {
        /// The name asked for.
        name: String,
        /// Whether it names a roster agent.
        roster_agent: bool,
        /// The closest group name, if any is close.
        closest: Option<String>,
        /// The groups that can be staffed.
        groups: Vec<String>,
    },
    /// The scenario has no agent group at all.
    #[error("the scenario has no agent group to staff")]
    None,
    /// Several groups and none named.
    #[error("the scenario has several agent groups ({}) and none is named", .0.join(", "))]
    Several(Vec<String>),
}

/// Which group to staff: the named one, or the only one. Roster agents (`[traffic] roster`) are
/// groups of one inside the scenario, but not groups a planner staffs: they are neither listed
/// nor picked.
pub(super) fn pick_group(sc: &Scenario, name: Option<&str>) -> Result<usize, StaffError> {
    let staffable: Vec<(usize, &str)> = sc
        .agent_groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.roster.is_none())
        .map(|(i, g)| (i, g.name.as_str()))
        .collect();
    let names: Vec<&str> = staffable.iter().map(|x| x.1).collect();
    let rostered = sc.agent_groups.len() - staffable.len();
    let only_roster = GroupError::OnlyRoster { rostered };
    let found = match name {
        Some(n) => match staffable.iter().find(|x| x.1 == n) {
            Some(x) => Ok(x.0),
            None if names.is_empty() => Err(only_roster),
            None => Err(GroupError::NoSuch {
                name: n.to_string(),
                roster_agent: sc.agent_groups.iter().any(|g| g.name == n),
                closest: crate::scenario::closest(n, names.iter().copied()).map(str::to_string),
                groups: names.iter().map(|s| s.to_string()).collect(),
            }),
        },
        None if names.len() == 1 => Ok(staffable[0].0),
        None if names.is_empty() && rostered > 0 => Err(only_roster),
        None if names.is_empty() => Err(GroupError::None),
        None => Err(GroupError::Several(
            names.iter().map(|s| s.to_string()).collect(),
        )),
    };
    Ok(found?)
}
