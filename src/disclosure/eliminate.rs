//! The exact attacker interval of every cell of a small block, by Fourier–Motzkin elimination:
//! no LP. At Kolada scale (`benches/indicators.rs`) the blocks the closed forms of
//! [`super::audit`] do not cover are small (a proportion whose denominator is hidden for K, M
//! and T and whose numerator is hidden for K and M: five cells, two sums, two orders), and
//! building and solving an LP per optimum cost more than eliminating the other cells outright.
//!
//! **Why this is exact** — the interval of `yᵢ` over the feasible set `P` is its projection on
//! `yᵢ`. Eliminating a variable `yⱼ` through an equality with a non-zero coefficient on it
//! (solve for `yⱼ`, substitute) gives the projection of `P` along `yⱼ` exactly. Fourier–Motzkin
//! (Fourier 1826; Motzkin 1936; Schrijver, *Theory of Linear and Integer Programming*, §12.2)
//! eliminates `yⱼ` from inequalities alone: each constraint bounds `yⱼ` from below, from above,
//! or not at all, and the projection is the set where every lower bound is at most every upper
//! bound, which is exactly the rows that do not hold `yⱼ` plus one row per (lower, upper) pair.
//! After every other cell is eliminated, the rows left bound `yᵢ` alone (and rows with no
//! variable left must hold as constants, or `P` is empty): the interval is the largest lower
//! bound and the smallest upper bound. Elimination multiplies rows, so a block whose rows
//! would pass `limit` is left to the LP. A property test in [`super::audit`] checks the
//! result against the LP on random blocks.

/// The most cells a block solved here may have: rows are fixed arrays of this many
/// coefficients, so elimination allocates nothing per row (it did, and at Kolada scale the
/// allocations took as long as the arithmetic).
pub const MAX_CELLS: usize = 6;

/// One linear relation over the block's cells: `Σ coefs[j]·yⱼ (= | ≤) rhs`; coefficients past
/// the block's cells are 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    pub coefs: [f64; MAX_CELLS],
    pub rhs: f64,
    pub equal: bool,
}

/// What elimination found.
#[derive(Debug, PartialEq)]
pub enum Projection {
    /// Each cell's interval, in cell order (`high` may be `+∞`).
    Intervals(Vec<(f64, f64)>),
    /// No point satisfies the relations.
    Infeasible,
    /// Elimination would pass the row limit, or the block has more than [`MAX_CELLS`] cells:
    /// solve by LP.
    TooLarge,
}

/// A coefficient this small is round-off of a cancellation, not a term.
const ZERO: f64 = 1e-12;

/// Each cell's interval over `{y : rows hold, low ≤ y ≤ high per cell}`, `boxes[j]` = (low,
/// high) with a finite `low` and `high` possibly `+∞`.
pub fn project(rows: &[Row], boxes: &[(f64, f64)], limit: usize) -> Projection {
    if boxes.len() > MAX_CELLS {
        return Projection::TooLarge;
    }
    let mut scratch = Scratch::default();
    let mut out = Vec::with_capacity(boxes.len());
    for target in 0..boxes.len() {
        match interval(rows, boxes, target, limit, &mut scratch) {
            Some(Ok(interval)) => out.push(interval),
            Some(Err(Infeasible)) => return Projection::Infeasible,
            None => return Projection::TooLarge,
        }
    }
    Projection::Intervals(out)
}

struct Infeasible;

/// Row buffers reused from one target cell to the next.
#[derive(Default)]
struct Scratch {
    equalities: Vec<Row>,
    inequalities: Vec<Row>,
    next: Vec<Row>,
    lower: Vec<usize>,
    upper: Vec<usize>,
}

/// The interval of cell `target`: `None` when elimination passes `limit` rows.
fn interval(
    rows: &[Row],
    boxes: &[(f64, f64)],
    target: usize,
    limit: usize,
    scratch: &mut Scratch,
) -> Option<Result<(f64, f64), Infeasible>> {
    let n = boxes.len();
    let Scratch { equalities, inequalities, next, lower, upper } = scratch;
    equalities.clear();
    inequalities.clear();
    equalities.extend(rows.iter().filter(|r| r.equal));
    inequalities.extend(rows.iter().filter(|r| !r.equal));
    for (j, &(low, high)) in boxes.iter().enumerate() {
        let unit = |sign: f64| {
            let mut coefs = [0.0; MAX_CELLS];
            coefs[j] = sign;
            coefs
        };
        inequalities.push(Row { coefs: unit(-1.0), rhs: -low, equal: false });
        if high.is_finite() {
            inequalities.push(Row { coefs: unit(1.0), rhs: high, equal: false });
        }
    }
    for j in (0..n).filter(|&j| j != target) {
        if let Some(p) = equalities.iter().position(|e| e.coefs[j].abs() > ZERO) {
            // yⱼ = (rhs − Σ others) / a: substitute it everywhere.
            let pivot = equalities.swap_remove(p);
            for row in equalities.iter_mut().chain(inequalities.iter_mut()) {
                let factor = row.coefs[j] / pivot.coefs[j];
                if factor != 0.0 {
                    add(row, &pivot, -factor);
                    row.coefs[j] = 0.0;
                }
            }
            continue;
        }
        lower.clear();
        upper.clear();
        lower.extend((0..inequalities.len()).filter(|&r| inequalities[r].coefs[j] < -ZERO));
        upper.extend((0..inequalities.len()).filter(|&r| inequalities[r].coefs[j] > ZERO));
        let kept = inequalities.len() - lower.len() - upper.len();
        if kept + lower.len() * upper.len() > limit {
            return None;
        }
        next.clear();
        next.extend(inequalities.iter().filter(|r| r.coefs[j].abs() <= ZERO));
        for &l in lower.iter() {
            let l = &inequalities[l];
            for &u in upper.iter() {
                // u/u_j + l/|l_j|: yⱼ's coefficient cancels.
                let mut row = inequalities[u];
                let su = 1.0 / row.coefs[j];
                row.rhs *= su;
                row.coefs.iter_mut().for_each(|c| *c *= su);
                add(&mut row, l, 1.0 / -l.coefs[j]);
                row.coefs[j] = 0.0;
                next.push(row);
            }
        }
        std::mem::swap(inequalities, next);
    }
    let (mut low, mut high) = (f64::NEG_INFINITY, f64::INFINITY);
    let tolerance = |rhs: f64| 1e-9 * rhs.abs().max(1.0);
    for row in equalities.iter() {
        let a = row.coefs[target];
        if a.abs() > ZERO {
            low = low.max(row.rhs / a);
            high = high.min(row.rhs / a);
        } else if row.rhs.abs() > tolerance(row.rhs) {
            return Some(Err(Infeasible));
        }
    }
    for row in inequalities.iter() {
        let a = row.coefs[target];
        if a > ZERO {
            high = high.min(row.rhs / a);
        } else if a < -ZERO {
            low = low.max(row.rhs / a);
        } else if row.rhs < -tolerance(row.rhs) {
            return Some(Err(Infeasible));
        }
    }
    if low > high + 1e-9 * low.abs().max(1.0) {
        return Some(Err(Infeasible));
    }
    Some(Ok((low, high.max(low))))
}

/// `row += b·other`, coefficients that cancel to round-off set to 0.
fn add(row: &mut Row, other: &Row, b: f64) {
    for (c, o) in row.coefs.iter_mut().zip(&other.coefs) {
        *c += b * o;
        if c.abs() <= ZERO {
            *c = 0.0;
        }
    }
    row.rhs += b * other.rhs;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(coefs: &[f64], rhs: f64, equal: bool) -> Row {
        let mut padded = [0.0; MAX_CELLS];
        padded[..coefs.len()].copy_from_slice(coefs);
        Row { coefs: padded, rhs, equal }
    }

    /// a + b = 10, a ≤ c, b ≤ d, c + d + e = 14 (all ≥ 0; c, d ≤ 8), worked by hand:
    /// a ≤ c ≤ 8 and b = 10 − a ≤ d ≤ 8 give a ∈ [2, 8] (b likewise); c ≥ a ≥ 2, and c = 8 is
    /// reached at a = 4, b = d = 6, e = 0, so c ∈ [2, 8] (d likewise); e = 14 − c − d ≤ 14 −
    /// a − b = 4, and e = 0 at c = 6, d = 8.
    #[test]
    fn a_five_cell_block_by_hand() {
        let rows = [
            row(&[1.0, 1.0, 0.0, 0.0, 0.0], 10.0, true),
            row(&[1.0, 0.0, -1.0, 0.0, 0.0], 0.0, false),
            row(&[0.0, 1.0, 0.0, -1.0, 0.0], 0.0, false),
            row(&[0.0, 0.0, 1.0, 1.0, 1.0], 14.0, true),
        ];
        let inf = f64::INFINITY;
        let boxes = [(0.0, inf), (0.0, inf), (0.0, 8.0), (0.0, 8.0), (0.0, inf)];
        let Projection::Intervals(got) = project(&rows, &boxes, 256) else { panic!("feasible") };
        let expected = [(2.0, 8.0), (2.0, 8.0), (2.0, 8.0), (2.0, 8.0), (0.0, 4.0)];
        for (g, e) in got.iter().zip(expected) {
            assert!((g.0 - e.0).abs() < 1e-12 && (g.1 - e.1).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn contradictions_and_unbounded_cells() {
        let inf = f64::INFINITY;
        // a + b = 3 with a ≥ 4: empty.
        let rows = [row(&[1.0, 1.0], 3.0, true)];
        assert_eq!(project(&rows, &[(4.0, inf), (0.0, inf)], 256), Projection::Infeasible);
        // a − b ≤ 1: b has no upper bound, a none either (b can grow with it).
        let rows = [row(&[1.0, -1.0], 1.0, false)];
        assert_eq!(project(&rows, &[(0.0, inf), (0.0, inf)], 256), Projection::Intervals(vec![(0.0, inf), (0.0, inf)]));
        // With b ≤ 2, a ≤ 3.
        assert_eq!(project(&rows, &[(0.0, inf), (0.0, 2.0)], 256), Projection::Intervals(vec![(0.0, 3.0), (0.0, 2.0)]));
        // A limit below what elimination needs.
        assert_eq!(project(&rows, &[(0.0, inf), (0.0, 2.0)], 1), Projection::TooLarge);
    }
}
