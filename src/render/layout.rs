//! Stage 6 (render): a layered (Sugiyama-style) layout for the HTML page, computed in Rust so
//! the page only draws: cycles broken by a depth-first search, longest-path layering on the
//! foreign-key DAG (referenced tables on top), barycenter ordering sweeps, then coordinates
//! with wide layers wrapped into rows. Written here instead of taking a crate: the few layout
//! crates on crates.io are unmaintained or pull in a renderer, and this is ~200 lines,
//! O((V + E) log V) per sweep — 1,500 tables lay out in milliseconds.

use std::collections::BTreeSet;

/// A box to place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub w: i64,
    pub h: i64,
}

/// Where a box went (top-left corner).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub x: i64,
    pub y: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    pub pos: Vec<Pos>,
    pub width: i64,
    pub height: i64,
    /// Layer of each node (0 = top).
    pub layer: Vec<usize>,
}

const GAP_X: i64 = 40;
const GAP_Y: i64 = 90;
const MAX_ROW: i64 = 6_000;
const SWEEPS: usize = 6;

/// Lay out `sizes.len()` nodes; `edges` are (child, parent): the child references the parent.
#[must_use]
pub fn layout(sizes: &[Size], edges: &[(usize, usize)]) -> Layout {
    let n = sizes.len();
    if n == 0 {
        return Layout::default();
    }
    // Unique edges without self loops.
    let set: BTreeSet<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|(a, b)| a != b && *a < n && *b < n)
        .collect();
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(c, p) in &set {
        if let Some(v) = parents.get_mut(c) {
            v.push(p);
        }
    }
    // 1. Break cycles: drop edges that close a cycle in a DFS from each node in order.
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut dag: Vec<Vec<usize>> = vec![Vec::new(); n];
    for root in 0..n {
        if state.get(root).copied() != Some(0) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        if let Some(s) = state.get_mut(root) {
            *s = 1;
        }
        while let Some(top) = stack.last_mut() {
            let (v, i) = *top;
            top.1 += 1;
            let next = parents.get(v).and_then(|ps| ps.get(i)).copied();
            match next {
                Some(p) => match state.get(p).copied() {
                    Some(0) => {
                        if let Some(d) = dag.get_mut(v) {
                            d.push(p);
                        }
                        if let Some(s) = state.get_mut(p) {
                            *s = 1;
                        }
                        stack.push((p, 0));
                    }
                    Some(2) => {
                        if let Some(d) = dag.get_mut(v) {
                            d.push(p);
                        }
                    }
                    _ => {} // back edge: ignored for layering
                },
                None => {
                    if let Some(s) = state.get_mut(v) {
                        *s = 2;
                    }
                    stack.pop();
                }
            }
        }
    }
    // 2. Longest path: layer = 1 + max(layer of parents); computed in DFS post-order.
    let mut layer = vec![usize::MAX; n];
    for root in 0..n {
        if layer.get(root).copied() != Some(usize::MAX) {
            continue;
        }
        let mut stack: Vec<(usize, bool)> = vec![(root, false)];
        while let Some((v, expanded)) = stack.pop() {
            if layer.get(v).copied() != Some(usize::MAX) {
                continue;
            }
            let ps = dag.get(v).cloned().unwrap_or_default();
            if expanded {
                let l = ps
                    .iter()
                    .map(|p| layer.get(*p).copied().unwrap_or(0).saturating_add(1))
                    .max()
                    .unwrap_or(0);
                if let Some(slot) = layer.get_mut(v) {
                    *slot = l;
                }
            } else {
                stack.push((v, true));
                for p in ps {
                    if layer.get(p).copied() == Some(usize::MAX) {
                        stack.push((p, false));
                    }
                }
            }
        }
    }
    // Isolated nodes (no edge at all) go to their own band at the bottom.
    let mut degree = vec![0usize; n];
    for &(a, b) in &set {
        if let Some(d) = degree.get_mut(a) {
            *d += 1;
        }
        if let Some(d) = degree.get_mut(b) {
            *d += 1;
        }
    }
    let deepest = layer
        .iter()
        .zip(&degree)
        .filter(|(_, d)| **d > 0)
        .map(|(l, _)| *l)
        .max();
    if let Some(deepest) = deepest {
        for (l, d) in layer.iter_mut().zip(&degree) {
            if *d == 0 {
                *l = deepest + 1;
            }
        }
    } else {
        layer.iter_mut().for_each(|l| *l = 0);
    }
    let layers = layer.iter().copied().max().unwrap_or(0) + 1;
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (v, l) in layer.iter().enumerate() {
        if let Some(r) = rows.get_mut(*l) {
            r.push(v);
        }
    }
    // Neighbours in both directions, for barycenters.
    let mut neigh: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &set {
        if let Some(v) = neigh.get_mut(a) {
            v.push(b);
        }
        if let Some(v) = neigh.get_mut(b) {
            v.push(a);
        }
    }
    // 3. Barycenter sweeps (down, then up), position = rank in layer.
    let mut rank = vec![0f64; n];
    let set_ranks = |rows: &Vec<Vec<usize>>, rank: &mut Vec<f64>| {
        for r in rows {
            let len = r.len().max(1) as f64;
            for (i, v) in r.iter().enumerate() {
                if let Some(slot) = rank.get_mut(*v) {
                    // Normalised so layers of different sizes line up.
                    *slot = (i as f64 + 0.5) / len;
                }
            }
        }
    };
    set_ranks(&rows, &mut rank);
    for sweep in 0..SWEEPS {
        let order: Vec<usize> = if sweep % 2 == 0 {
            (1..layers).collect()
        } else {
            (0..layers.saturating_sub(1)).rev().collect()
        };
        for li in order {
            let Some(row) = rows.get(li) else { continue };
            let mut keyed: Vec<(f64, usize, usize)> = row
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let adj: Vec<f64> = neigh
                        .get(v)
                        .map(|ns| {
                            ns.iter()
                                .filter(|u| {
                                    let lu = layer.get(**u).copied().unwrap_or(0);
                                    if sweep % 2 == 0 { lu < li } else { lu > li }
                                })
                                .filter_map(|u| rank.get(*u).copied())
                                .collect()
                        })
                        .unwrap_or_default();
                    let key = if adj.is_empty() {
                        rank.get(v).copied().unwrap_or(0.0)
                    } else {
                        adj.iter().sum::<f64>() / adj.len() as f64
                    };
                    (key, i, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if let Some(r) = rows.get_mut(li) {
                *r = keyed.into_iter().map(|(_, _, v)| v).collect();
            }
            set_ranks(&rows, &mut rank);
        }
    }
    // 4. Coordinates: wrap wide layers into rows of at most MAX_ROW px, centre each row.
    let mut lines: Vec<Vec<usize>> = Vec::new();
    for r in &rows {
        let mut cur: Vec<usize> = Vec::new();
        let mut w = 0;
        for &v in r {
            let vw = sizes.get(v).map_or(0, |s| s.w);
            if !cur.is_empty() && w + vw > MAX_ROW {
                lines.push(std::mem::take(&mut cur));
                w = 0;
            }
            cur.push(v);
            w += vw + GAP_X;
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
    }
    let line_width = |l: &Vec<usize>| -> i64 {
        l.iter()
            .map(|v| sizes.get(*v).map_or(0, |s| s.w))
            .sum::<i64>()
            + GAP_X * (l.len() as i64 - 1).max(0)
    };
    let width = lines.iter().map(line_width).max().unwrap_or(0) + 2 * GAP_X;
    let mut pos = vec![Pos::default(); n];
    let mut y = GAP_X;
    for l in &lines {
        let mut x = (width - line_width(l)) / 2;
        let mut tallest = 0;
        for &v in l {
            let s = sizes.get(v).copied().unwrap_or(Size { w: 0, h: 0 });
            if let Some(p) = pos.get_mut(v) {
                *p = Pos { x, y };
            }
            x += s.w + GAP_X;
            tallest = tallest.max(s.h);
        }
        y += tallest + GAP_Y;
    }
    Layout {
        pos,
        width,
        height: y - GAP_Y + GAP_X,
        layer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(n: usize) -> Vec<Size> {
        vec![Size { w: 100, h: 50 }; n]
    }

    #[test]
    fn parents_are_above_children() {
        // 0 <- 1 <- 2 ; 3 -> 0
        let l = layout(&sizes(4), &[(1, 0), (2, 1), (3, 0)]);
        assert_eq!(l.layer, vec![0, 1, 2, 1]);
        assert!(l.pos[0].y < l.pos[1].y && l.pos[1].y < l.pos[2].y);
    }

    #[test]
    fn cycles_and_self_loops_terminate() {
        let l = layout(&sizes(3), &[(0, 1), (1, 2), (2, 0), (1, 1)]);
        assert_eq!(l.pos.len(), 3);
        let distinct: BTreeSet<usize> = l.layer.iter().copied().collect();
        assert_eq!(distinct.len(), 3, "{:?}", l.layer);
    }

    #[test]
    fn boxes_never_overlap() {
        let edges: Vec<(usize, usize)> = (1..200).map(|i| (i, i / 3)).collect();
        let l = layout(&sizes(200), &edges);
        for a in 0..200 {
            for b in (a + 1)..200 {
                let (pa, pb) = (l.pos[a], l.pos[b]);
                let apart = pa.x + 100 <= pb.x
                    || pb.x + 100 <= pa.x
                    || pa.y + 50 <= pb.y
                    || pb.y + 50 <= pa.y;
                assert!(apart, "{a} and {b} overlap");
            }
        }
    }
}
