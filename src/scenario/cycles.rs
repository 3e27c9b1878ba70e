//! The cycles of a graph in which every node has at most one successor (`next[i]`): the
//! cycles are disjoint and one walk from each node finds them all, O(n). Shared by the loop
//! limits over transfers (`loops`), `waited_over` transfers (`overflow`) and supervisor moves
//! (`moves`).

/// Every cycle of `next` (node `i` → `next[i]`; `None` ends a walk), each as its nodes in walk
/// order, starting at the node where the walk closed on itself. A walk that ends at a node
/// without a successor is no cycle.
pub(crate) fn cycles(next: &[Option<usize>]) -> Vec<Vec<usize>> {
    let n = next.len();
    // 0: not seen; 1: on the walk; 2: done.
    let mut state = vec![0u8; n];
    let mut out = Vec::new();
    for start in 0..n {
        let mut walk = Vec::new();
        let mut at = start;
        let mut followed = false;
        while at < n && state[at] == 0 {
            state[at] = 1;
            walk.push(at);
            match next[at] {
                Some(t) => {
                    at = t;
                    followed = true;
                }
                None => {
                    followed = false;
                    break;
                }
            }
        }
        if followed && at < n && state[at] == 1 {
            if let Some(pos) = walk.iter().position(|&q| q == at) {
                out.push(walk[pos..].to_vec());
            }
        }
        for q in walk {
            state[q] = 2;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cycles;

    #[test]
    fn finds_each_cycle_once_and_no_dead_end() {
        // 0 → 1 → 2 → 1; 3 → 3; 4 → 0; 5 ends.
        let next = [Some(1), Some(2), Some(1), Some(3), Some(0), None];
        assert_eq!(cycles(&next), vec![vec![1, 2], vec![3]]);
        assert!(cycles(&[None, Some(0)]).is_empty());
    }
}
