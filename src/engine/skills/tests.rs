//! Unit tests of skill matching and of the grouping that keeps routing cheap.

use super::*;

#[test]
fn closeness_orders_exact_over_under() {
    let req = vec![(0, 3), (1, 5)];
    // Exactly qualified.
    assert_eq!(closeness(&[(0, 3), (1, 5)], &req), (0, 0, 0));
    // Over-qualified by 2 + 1.
    assert_eq!(closeness(&[(0, 5), (1, 6), (2, 9)], &req), (1, 0, 3));
    // Under-qualified: one below, one missing.
    assert_eq!(closeness(&[(0, 2)], &req), (2, 2, 6));
    assert!(closeness(&[(0, 3), (1, 5)], &req) < closeness(&[(0, 4), (1, 5)], &req));
    assert!(closeness(&[(0, 9), (1, 9)], &req) < closeness(&[(0, 3)], &req));
}

#[test]
fn satisfies_needs_every_skill_at_rating() {
    assert!(satisfies(&[(0, 3), (1, 5)], &[(1, 5)]));
    assert!(satisfies(&[(0, 3)], &[]));
    assert!(!satisfies(&[(0, 3), (1, 4)], &[(1, 5)]));
    assert!(!satisfies(&[(0, 3)], &[(0, 3), (2, 1)]));
}

#[test]
fn interning_keeps_the_higher_rating() {
    let mut s = SkillState::new(SkillSetup::default(), 0);
    let a = s.intern(vec![(2, 3), (1, 4), (2, 6)]);
    let b = s.intern(vec![(1, 4), (2, 6)]);
    assert_eq!(a, b);
    assert_eq!(s.reqs[a.0 as usize], vec![(1, 4), (2, 6)]);
    assert_eq!(s.intern(vec![]), ReqId(0));
}
