//! The disclosure audit: for every suppressed cell, the interval an attacker can prove it lies in
//! (sdcTable `attack()` semantics; STATISTICS.md §3.5 step 6, DESIGN.md §6).
//!
//! The attacker knows every published cell exactly and every published linear relation between
//! cells (T = K + M, a partner-group total = Σ members, a numerator ≤ its denominator). Every
//! count is ≥ 0. For a suppressed cell s the attacker's interval is
//! `[min yₛ, max yₛ]` over all non-negative real `y` that satisfy the relations; the cell is
//! protected iff the interval is at least `min_count` wide ([`Exposure::protected`]). The upper end
//! may be `+∞` (nothing bounds the cell from above).
//!
//! How [`Table::attack`] works, in O(cells + terms) plus the cost of the blocks it solves:
//! 1. **Substitute** the published cells as constants: each relation becomes a constraint on the
//!    hidden cells only (repeated cells merged, zero coefficients dropped). A relation left with no
//!    hidden cell is dropped: checking the data's own consistency is not the audit's job (SCB's
//!    Cell Key Method makes K + M ≠ T legal).
//! 2. **Split** the hidden cells into independent blocks with a union–find: two hidden cells are in
//!    one block iff a chain of relations links them. Published cells are constants and link
//!    nothing, so a whole municipality table falls apart into one block per organisation unless a
//!    group total ties organisations together.
//! 3. **Solve** each block. A relation with a single hidden cell is only a bound on that cell, and
//!    is folded into the cell's interval. The by far most common block — one organisation's K and
//!    M hidden under a published T, perhaps under published denominators — is solved in closed form
//!    (`pair_interval`, whose doc comment proves it exact); everything else goes to an LP per bound
//!    (`good_lp` + `microlp`).
//!
//! Determinism: blocks, cells and relations are visited in index order (vectors only, no hashed
//! collection is iterated), so the same table always gives the same exposures.
//!
//! Numerics: the closed form is exact for integer data. LP optima are snapped to the nearest
//! integer when within 1e-9 (relative) of it, so a disclosed cell shows as `[2, 2]`, not
//! `[1.9999999999999998, 2.0000000000000004]`.

use super::eliminate::{MAX_CELLS, Projection, Row, project};
use good_lp::{Expression, ObjectiveDirection, ProblemVariables, ResolutionError, Solution, SolverModel, microlp};

/// One count in the attacker's view.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The true count. The attacker sees it only when `published`; a suppressed cell's value is
    /// never read by the audit (it may be NaN, e.g. a Kolada `null`).
    pub value: f64,
    /// Whether the attacker sees `value`.
    pub published: bool,
}

/// A linear relation over cells the attacker knows holds: Σ coef·y  (= | ≤)  rhs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Relation {
    /// Its terms, `Table::terms[start..end]`.
    pub start: usize,
    pub end: usize,
    /// `=` or `≤`.
    pub kind: RelationKind,
    /// The right-hand side.
    pub rhs: f64,
}

/// The comparison of a [`Relation`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    /// Σ coef·y = rhs.
    Equal,
    /// Σ coef·y ≤ rhs.
    AtMost,
}

/// An attacker problem: cells and relations. Cells are indexed by position.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// The cells, indexed by position.
    pub cells: Vec<Cell>,
    /// The relations the attacker knows hold.
    pub relations: Vec<Relation>,
    /// Every relation's `(cell index, coefficient)` terms, one after the other (millions of
    /// relations, so not a `Vec` each); a cell may appear more than once in a relation
    /// (coefficients add up).
    pub terms: Vec<(usize, f64)>,
}

/// The attacker's interval for one suppressed cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exposure {
    /// Index of the suppressed cell in [`Table::cells`].
    pub cell: usize,
    /// The smallest value consistent with everything published (≥ 0).
    pub low: f64,
    /// The largest value consistent with everything published; `f64::INFINITY` if unbounded.
    pub high: f64,
}

impl Exposure {
    /// `high − low` (`+∞` when the cell is unbounded above).
    pub fn width(&self) -> f64 {
        self.high - self.low
    }

    /// Whether the attacker's interval is at least `min_count` wide (with a 1e-9 tolerance for LP
    /// round-off). This is the recommended, stricter form of sdcTable's `up − low > 0`.
    pub fn protected(&self, min_count: f64) -> bool {
        self.width() >= min_count - 1e-9
    }
}

/// Why the audit could not compute the attacker's intervals.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("the published relations contradict each other (infeasible attacker problem)")]
    Infeasible,
    #[error("LP solver failed: {0}")]
    Solver(String),
}

impl Table {
    /// Appends a cell and returns its index.
    pub fn cell(&mut self, value: f64, published: bool) -> usize {
        self.cells.push(Cell { value, published });
        self.cells.len() - 1
    }

    /// Appends the relation Σ coef·y = rhs.
    pub fn equal(&mut self, terms: impl IntoIterator<Item = (usize, f64)>, rhs: f64) {
        self.relation(terms, RelationKind::Equal, rhs);
    }

    /// Appends the relation Σ coef·y ≤ rhs.
    pub fn at_most(&mut self, terms: impl IntoIterator<Item = (usize, f64)>, rhs: f64) {
        self.relation(terms, RelationKind::AtMost, rhs);
    }

    fn relation(&mut self, terms: impl IntoIterator<Item = (usize, f64)>, kind: RelationKind, rhs: f64) {
        let start = self.terms.len();
        self.terms.extend(terms);
        self.relations.push(Relation { start, end: self.terms.len(), kind, rhs });
    }

    /// The terms of relation `r`.
    pub fn terms_of(&self, r: &Relation) -> &[(usize, f64)] {
        &self.terms[r.start..r.end]
    }

    /// The attacker's interval for every suppressed cell.
    ///
    /// Splits into independent blocks (connected components of suppressed cells linked through
    /// relations; published cells are constants and do not link), then solves each block. Returns
    /// one [`Exposure`] per suppressed cell, in cell order.
    ///
    /// # Errors
    /// [`AuditError::Infeasible`] if the relations that involve hidden cells cannot all hold with
    /// non-negative hidden cells; [`AuditError::Solver`] if the LP solver fails, or if a relation
    /// that involves a hidden cell has a NaN or infinite coefficient or a NaN right-hand side after
    /// substitution (the attacker problem is then undefined, and dropping the relation could
    /// overstate the protection).
    ///
    /// # Panics
    /// If a relation refers to a cell index outside [`Table::cells`].
    pub fn attack(&self) -> Result<Vec<Exposure>, AuditError> {
        self.attack_with(Path::Auto)
    }

    fn attack_with(&self, path: Path) -> Result<Vec<Exposure>, AuditError> {
        Problem(Hidden::substitute(self)?).attack_blocks(path, |_| true).map(|e| e.into_iter().flatten().collect())
    }

    /// The attacker's interval for the suppressed cells of every block that holds a cell with
    /// `wanted(cell)`; the other suppressed cells get `None`. One entry per suppressed cell, in
    /// cell order.
    ///
    /// Blocks are independent, so a caller that changes a table only by hiding more cells need
    /// re-solve only the blocks holding a newly hidden cell: every other block has the same cells,
    /// relations and constants as before (a relation that gained a hidden cell joins that cell's
    /// block), hence the same intervals.
    ///
    /// # Errors
    /// As [`Table::attack`], for the blocks solved.
    pub fn attack_where(&self, wanted: impl Fn(usize) -> bool + Sync) -> Result<Vec<Option<Exposure>>, AuditError> {
        Problem(Hidden::substitute(self)?).attack_where(wanted)
    }
}

/// The attacker problem on the hidden cells only, built by [`Builder`]s straight from the
/// relations (or from a [`Table`]): what [`Table::attack`] solves. Its unknowns are numbered in
/// cell order ([`Unknowns`]), then the [`Term::Own`] unknowns in relation order.
#[derive(Debug, PartialEq)]
pub struct Problem(Hidden);

impl Problem {
    /// The number of cells the attacker does not know.
    pub fn unknowns(&self) -> usize {
        self.0.cells.len()
    }

    /// The number of relations left after the known cells are substituted.
    pub fn relations(&self) -> usize {
        self.0.relations.len()
    }

    /// The problem of `parts`' relations, one part after the other, over `unknowns` (every
    /// unknown a part names must be in it).
    ///
    /// The parts may have been built on different threads: numbering waits until here, where
    /// each unknown gets its rank in `unknowns` (and the own unknowns theirs after all cells),
    /// so the problem is the same however the relations were split into parts.
    ///
    /// # Panics
    /// If a part names an unknown cell that is not in `unknowns`.
    pub fn assemble(unknowns: &Unknowns, mut parts: Vec<Builder>) -> Problem {
        use rayon::prelude::*;
        let mut owns = Vec::with_capacity(parts.len());
        let mut total = unknowns.len();
        for part in &parts {
            owns.push(total);
            total += part.owns;
        }
        parts.par_iter_mut().zip(&owns).for_each(|(part, &first_own)| {
            for term in &mut part.hidden.terms {
                term.0 = match term.0.checked_sub(OWN) {
                    Some(own) => first_own + own,
                    None => unknowns.rank(term.0).unwrap_or_else(|| {
                        panic!("cell {} is unknown to the attacker but not among the problem's unknowns", term.0)
                    }),
                };
            }
        });
        let mut cells = unknowns.ids();
        cells.resize(total, usize::MAX);
        let mut parts = parts.into_iter();
        let Some(first) = parts.next() else {
            return Problem(Hidden { cells, relations: Vec::new(), terms: Vec::new() });
        };
        let mut hidden = first.hidden;
        if parts.len() > 0 {
            let (relations, terms) = parts
                .as_slice()
                .iter()
                .fold((0, 0), |(r, t), p| (r + p.hidden.relations.len(), t + p.hidden.terms.len()));
            hidden.relations.reserve_exact(relations);
            hidden.terms.reserve_exact(terms);
            // One part after the other, each freed once copied.
            for part in parts {
                let offset = hidden.terms.len();
                hidden.terms.extend_from_slice(&part.hidden.terms);
                hidden.relations.extend(part.hidden.relations.iter().map(|r| HiddenRelation {
                    start: r.start + offset,
                    end: r.end + offset,
                    ..*r
                }));
            }
        }
        hidden.cells = cells;
        Problem(hidden)
    }

    /// As [`Table::attack_where`]; an exposure's `cell` is the cell id given to the
    /// [`Builder`] (`usize::MAX` for a [`Term::Own`] unknown).
    ///
    /// # Errors
    /// As [`Table::attack`], for the blocks solved.
    pub fn attack_where(&self, wanted: impl Fn(usize) -> bool + Sync) -> Result<Vec<Option<Exposure>>, AuditError> {
        self.attack_blocks(Path::Auto, wanted)
    }

    fn attack_blocks(
        &self,
        path: Path,
        wanted: impl Fn(usize) -> bool + Sync,
    ) -> Result<Vec<Option<Exposure>>, AuditError> {
        use rayon::prelude::*;
        let clock = crate::timings::Stopwatch::start();
        let problem = &self.0;
        let blocks = Blocks::new(problem);
        clock.lap("audit: blocks");
        // Blocks are solved in parallel by runs of consecutive blocks, each run's intervals in
        // one vector (one per block was a million allocations at Kolada scale); errors and
        // results are then taken in block order, so the outcome does not depend on the thread
        // count.
        const RUN: usize = 2048;
        let wanted = |b: usize| blocks.cells(b).iter().any(|&o| wanted(problem.cells[o]));
        let runs: Vec<Result<Vec<Interval>, AuditError>> = (0..blocks.len().div_ceil(RUN))
            .into_par_iter()
            .map(|run| {
                let mut out = Vec::new();
                for b in (run * RUN..blocks.len().min((run + 1) * RUN)).filter(|&b| wanted(b)) {
                    solve_block(problem, &blocks, b, path, &mut out)?;
                }
                Ok(out)
            })
            .collect();
        clock.lap("audit: blocks solved");
        let mut exposures = vec![None; problem.cells.len()];
        for (run, intervals) in runs.into_iter().enumerate() {
            let mut intervals = intervals?.into_iter();
            for b in (run * RUN..blocks.len().min((run + 1) * RUN)).filter(|&b| wanted(b)) {
                for (&o, (low, high)) in blocks.cells(b).iter().zip(intervals.by_ref()) {
                    exposures[o] = Some(Exposure { cell: problem.cells[o], low, high });
                }
            }
        }
        Ok(exposures)
    }
}

/// Cell ids the attacker does not know, each numbered by its rank among them: a bitmap and a
/// count per 64-bit word, 1.3 MB at Kolada scale (9.4 M link cells) where an ordinal per cell
/// was 37 MB, and a rank costs one count of set bits.
#[derive(Debug)]
pub struct Unknowns {
    words: Vec<u64>,
    /// Members in the words before each word.
    before: Vec<usize>,
}

impl Unknowns {
    /// The ids in `0..ids` for which `unknown` holds (asked on the pool).
    pub fn new(ids: usize, unknown: impl Fn(usize) -> bool + Sync) -> Unknowns {
        use rayon::prelude::*;
        let words = (0..ids.div_ceil(64))
            .into_par_iter()
            .map(|w| (w * 64..ids.min(w * 64 + 64)).fold(0u64, |word, id| word | (u64::from(unknown(id)) << (id % 64))))
            .collect();
        Unknowns::counted(words)
    }

    /// No unknowns among `ids` ids (yet: see [`Unknowns::with`]).
    pub fn none(ids: usize) -> Unknowns {
        Unknowns::counted(vec![0; ids.div_ceil(64)])
    }

    /// These unknowns and `more` (ids below the `ids` they were made for).
    ///
    /// # Panics
    /// If an id of `more` is outside that range.
    #[must_use]
    pub fn with(mut self, more: impl IntoIterator<Item = usize>) -> Unknowns {
        for id in more {
            let Some(word) = self.words.get_mut(id / 64) else {
                panic!("cell {id} is outside the {} cells of the problem", self.words.len() * 64);
            };
            *word |= 1 << (id % 64);
        }
        Unknowns::counted(self.words)
    }

    fn counted(words: Vec<u64>) -> Unknowns {
        let mut before = Vec::with_capacity(words.len() + 1);
        let mut count = 0;
        for word in &words {
            before.push(count);
            count += word.count_ones() as usize;
        }
        before.push(count);
        Unknowns { words, before }
    }

    pub fn len(&self) -> usize {
        self.before.last().copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many unknowns are below `id`, if `id` is one.
    pub fn rank(&self, id: usize) -> Option<usize> {
        let (w, bit) = (id / 64, id % 64);
        let word = *self.words.get(w)?;
        (word >> bit & 1 == 1).then(|| self.before[w] + (word & ((1 << bit) - 1)).count_ones() as usize)
    }

    /// The unknown ids, ascending.
    pub fn ids(&self) -> Vec<usize> {
        use rayon::prelude::*;
        let bits = |w: usize| {
            let mut word = self.words[w];
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let bit = word.trailing_zeros() as usize;
                    word &= word - 1;
                    w * 64 + bit
                })
            })
        };
        let mut ids = Vec::with_capacity(self.len());
        ids.par_extend((0..self.words.len()).into_par_iter().flat_map_iter(bits));
        ids
    }
}

/// A term's cell as the attacker sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Term {
    /// A published cell: a constant.
    Known(f64),
    /// A cell the attacker does not know, by its id (shared between the relations naming it).
    Unknown(usize),
    /// A non-negative unknown of this relation's own (a sex with no cell in T = K + M).
    Own,
}

/// The first id of own unknowns while a part is built: far above any cell id, so that they
/// sort after the cells, in the order they were met.
const OWN: usize = 1 << (usize::BITS - 2);

/// Builds part of a [`Problem`] relation by relation, substituting known cells as they come:
/// the attacker's table of every cell, known or not, is never held (at Kolada scale 3.5 M
/// cells and 2.2 M relations, 0.2 GB, and a second pass to substitute them). Unknown cells
/// keep their ids until [`Problem::assemble`] numbers them, so parts can be built on
/// separate threads.
pub struct Builder {
    /// Terms as `(cell id, coefficient)`, an own unknown as `(OWN + its number in this part, …)`.
    hidden: Hidden,
    /// Own unknowns met so far.
    owns: usize,
    /// Relations added so far (kept or not), to name one in an error.
    added: usize,
}

impl Builder {
    /// A builder with room for `relations` relations of `terms` terms in all (reserved, not
    /// touched: unused room costs no memory).
    pub fn new(relations: usize, terms: usize) -> Builder {
        let hidden =
            Hidden { cells: Vec::new(), relations: Vec::with_capacity(relations), terms: Vec::with_capacity(terms) };
        Builder { hidden, owns: 0, added: 0 }
    }

    /// Adds `Σ coef·term (kind) rhs`: known terms move to the right-hand side; a relation left
    /// without an unknown is dropped (checking the data's own consistency is not the audit's
    /// job: SCB's Cell Key Method makes K + M ≠ T legal).
    ///
    /// # Errors
    /// [`AuditError::Solver`] for a NaN or infinite coefficient, or a NaN right-hand side, after
    /// substitution; [`AuditError::Infeasible`] for `… = ±∞` or `… ≤ −∞`.
    pub fn relation(
        &mut self,
        terms: impl IntoIterator<Item = (Term, f64)>,
        kind: RelationKind,
        mut rhs: f64,
    ) -> Result<(), AuditError> {
        let start = self.hidden.terms.len();
        for (term, coef) in terms {
            if coef == 0.0 {
                continue;
            }
            match term {
                Term::Known(value) => rhs -= coef * value,
                Term::Unknown(id) => self.hidden.terms.push((id, coef)),
                Term::Own => {
                    self.hidden.terms.push((OWN + self.owns, coef));
                    self.owns += 1;
                }
            }
        }
        self.added += 1;
        self.hidden.close(self.added - 1, start, kind, rhs)
    }
}

/// Which solver a block may use (tests force the LP to check the closed form against it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    Auto,
    #[cfg_attr(not(test), allow(dead_code, reason = "only tests force the LP"))]
    LpOnly,
}

/// A relation after substitution: `terms[start..end]` over hidden cells, `kind`, `rhs`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct HiddenRelation {
    start: usize,
    end: usize,
    kind: RelationKind,
    rhs: f64,
}

/// The attacker problem on hidden cells only. Hidden cells are numbered 0.. in cell order
/// ("ordinals"), then the own unknowns of relations; `cells[ordinal]` is the cell index in the
/// table (`usize::MAX` for an own unknown).
#[derive(Debug, PartialEq)]
struct Hidden {
    cells: Vec<usize>,
    relations: Vec<HiddenRelation>,
    /// `(ordinal, coefficient)`, sorted by ordinal within a relation, no repeats, no zeros.
    terms: Vec<(usize, f64)>,
}

impl Hidden {
    /// The problem of a table: its unpublished cells numbered in cell order (ids are table
    /// cells), each relation with the published cells substituted.
    fn substitute(table: &Table) -> Result<Self, AuditError> {
        let unknowns = Unknowns::new(table.cells.len(), |id| !table.cells[id].published);
        let mut b = Builder::new(table.relations.len(), table.terms.len());
        for relation in &table.relations {
            let terms = table.terms_of(relation).iter().map(|&(id, coef)| {
                let Some(cell) = table.cells.get(id) else {
                    panic!("a relation refers to cell {id}, but the table has {} cells", table.cells.len());
                };
                (if cell.published { Term::Known(cell.value) } else { Term::Unknown(id) }, coef)
            });
            b.relation(terms, relation.kind, relation.rhs)?;
        }
        Ok(Problem::assemble(&unknowns, vec![b]).0)
    }

    /// Ends the relation whose terms start at `start`: repeated cells merged, zeros dropped,
    /// checked, and kept if any unknown is left.
    fn close(&mut self, index: usize, start: usize, kind: RelationKind, rhs: f64) -> Result<(), AuditError> {
        let end = start + merge_terms(&mut self.terms[start..]);
        self.terms.truncate(end);
        if end == start {
            return Ok(()); // only constants: the data's consistency is not the attacker's business
        }
        if rhs.is_nan() || self.terms[start..end].iter().any(|t| !t.1.is_finite()) {
            return Err(AuditError::Solver(format!(
                "relation {index} has a NaN or infinite coefficient, or a NaN right-hand side after \
                 substituting the published cells"
            )));
        }
        if kind == RelationKind::AtMost && rhs == f64::INFINITY {
            self.terms.truncate(start); // `… ≤ +∞` says nothing
            return Ok(());
        }
        if rhs.is_infinite() {
            return Err(AuditError::Infeasible); // `… = ±∞` or `… ≤ −∞`
        }
        self.relations.push(HiddenRelation { start, end, kind, rhs });
        Ok(())
    }

    fn terms(&self, relation: usize) -> &[(usize, f64)] {
        let r = &self.relations[relation];
        &self.terms[r.start..r.end]
    }
}

/// Sorts `terms` by ordinal, adds up repeated ordinals and drops zero coefficients in place;
/// returns how many terms remain at the front.
fn merge_terms(terms: &mut [(usize, f64)]) -> usize {
    if terms.len() > 1 {
        terms.sort_by_key(|t| t.0); // stable: repeated cells add up in input order
    }
    let mut kept = 0;
    for i in 0..terms.len() {
        if kept > 0 && terms[kept - 1].0 == terms[i].0 {
            terms[kept - 1].1 += terms[i].1;
        } else {
            terms[kept] = terms[i];
            kept += 1;
        }
    }
    let mut nonzero = 0;
    for i in 0..kept {
        if terms[i].1 != 0.0 {
            terms[nonzero] = terms[i];
            nonzero += 1;
        }
    }
    nonzero
}

/// Union–find over hidden ordinals (union by size, path halving).
struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind { parent: (0..n).collect(), size: vec![1; n] }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

/// The independent blocks, as compressed rows: block `b` owns the hidden ordinals
/// `cells[cell_start[b]..cell_start[b + 1]]` (ascending) and the relations
/// `relations[relation_start[b]..relation_start[b + 1]]` (ascending). Blocks are numbered in the
/// order of their first cell.
struct Blocks {
    cell_start: Vec<usize>,
    cells: Vec<usize>,
    relation_start: Vec<usize>,
    relations: Vec<usize>,
    /// Position of each hidden ordinal within its block (the LP variable index).
    local: Vec<usize>,
}

impl Blocks {
    fn new(problem: &Hidden) -> Self {
        let n = problem.cells.len();
        let mut sets = UnionFind::new(n);
        for r in &problem.relations {
            let first = problem.terms[r.start].0;
            for &(o, _) in &problem.terms[r.start + 1..r.end] {
                sets.union(first, o);
            }
        }

        const NONE: usize = usize::MAX;
        let mut block_of_root = vec![NONE; n];
        let mut block_of = Vec::with_capacity(n);
        let mut count = 0;
        for o in 0..n {
            let root = sets.find(o);
            if block_of_root[root] == NONE {
                block_of_root[root] = count;
                count += 1;
            }
            block_of.push(block_of_root[root]);
        }

        let (cell_start, cells) = group(count, block_of.iter().copied());
        let mut local = vec![0; n];
        for b in 0..count {
            for (position, &o) in cells[cell_start[b]..cell_start[b + 1]].iter().enumerate() {
                local[o] = position;
            }
        }
        let (relation_start, relations) =
            group(count, problem.relations.iter().map(|r| block_of[problem.terms[r.start].0]));
        Blocks { cell_start, cells, relation_start, relations, local }
    }

    fn len(&self) -> usize {
        self.cell_start.len() - 1
    }

    fn cells(&self, block: usize) -> &[usize] {
        &self.cells[self.cell_start[block]..self.cell_start[block + 1]]
    }

    fn relations(&self, block: usize) -> &[usize] {
        &self.relations[self.relation_start[block]..self.relation_start[block + 1]]
    }
}

/// Counting sort of items `0..` by their group: returns `(start, items)` with the items of group
/// `g` at `items[start[g]..start[g + 1]]`, in ascending order.
fn group(groups: usize, group_of: impl Iterator<Item = usize> + Clone) -> (Vec<usize>, Vec<usize>) {
    let mut start = vec![0; groups + 1];
    for g in group_of.clone() {
        start[g + 1] += 1;
    }
    for g in 0..groups {
        start[g + 1] += start[g];
    }
    let mut next = start.clone();
    let mut items = vec![0; start[groups]];
    for (item, g) in group_of.enumerate() {
        items[next[g]] = item;
        next[g] += 1;
    }
    (start, items)
}

/// A closed interval `(low, high)`; `high` may be `+∞`.
type Interval = (f64, f64);

/// Whether the interval `[low, high]` is empty beyond round-off.
fn is_empty(low: f64, high: f64) -> bool {
    low > high + 1e-9 * low.abs().max(1.0)
}

/// Narrows `interval` by the single-cell relation `coef·y (kind) rhs`.
fn tighten(interval: &mut Interval, coef: f64, kind: RelationKind, rhs: f64) {
    let v = rhs / coef;
    match kind {
        RelationKind::Equal => {
            interval.0 = interval.0.max(v);
            interval.1 = interval.1.min(v);
        }
        RelationKind::AtMost if coef > 0.0 => interval.1 = interval.1.min(v),
        RelationKind::AtMost => interval.0 = interval.0.max(v),
    }
}

/// Solves one block: appends the attacker's interval of each of its cells to `out`, in block
/// order.
fn solve_block(
    problem: &Hidden,
    blocks: &Blocks,
    block: usize,
    path: Path,
    out: &mut Vec<Interval>,
) -> Result<(), AuditError> {
    let cells = blocks.cells(block);
    let relations = blocks.relations(block);
    let start = out.len();
    out.resize(start + cells.len(), (0.0, f64::INFINITY));
    let bounds = &mut out[start..];

    // Single-cell relations are bounds; the rest couple cells.
    let mut coupling = 0;
    let mut pair_sum = None; // `a + b = c` after dividing by the common coefficient
    for &r in relations {
        let relation = problem.relations[r];
        match *problem.terms(r) {
            [(o, coef)] => tighten(&mut bounds[blocks.local[o]], coef, relation.kind, relation.rhs),
            [(_, alpha), (_, beta)] if relation.kind == RelationKind::Equal && alpha == beta => {
                coupling += 1;
                pair_sum = Some(relation.rhs / alpha);
            }
            _ => coupling += 1,
        }
    }
    for (low, high) in bounds.iter_mut() {
        if is_empty(*low, *high) {
            return Err(AuditError::Infeasible);
        }
        *high = high.max(*low); // round-off
    }

    match (cells.len(), pair_sum) {
        (1, _) => {}
        (2, Some(c)) if coupling == 1 && path == Path::Auto => {
            (bounds[0], bounds[1]) = pair_interval(bounds[0], bounds[1], c)?;
        }
        _ if coupling == 1 && path == Path::Auto => {
            let solved = one_relation(problem, blocks, &coupling_of(problem, blocks, block), bounds)?;
            bounds.copy_from_slice(&solved);
        }
        (4, _) if coupling == 4 && path == Path::Auto => match Linked::find(problem, blocks, relations) {
            Some(linked) => linked.solve(bounds)?,
            None => eliminate_or_lp(problem, blocks, block, bounds, path)?,
        },
        _ => eliminate_or_lp(problem, blocks, block, bounds, path)?,
    }
    Ok(())
}

/// A block of up to [`MAX_CELLS`] cells by Fourier–Motzkin elimination
/// ([`super::eliminate`]), a larger one (or one whose elimination grows past
/// [`ELIMINATE_ROWS`] rows) by LP. The intervals are snapped and clamped as the LP's are.
fn eliminate_or_lp(
    problem: &Hidden,
    blocks: &Blocks,
    block: usize,
    bounds: &mut [Interval],
    path: Path,
) -> Result<(), AuditError> {
    let cells = blocks.cells(block);
    if path == Path::Auto && cells.len() <= MAX_CELLS {
        let rows: Vec<Row> = coupling_of(problem, blocks, block)
            .into_iter()
            .map(|r| {
                let mut coefs = [0.0; MAX_CELLS];
                for &(o, coef) in problem.terms(r) {
                    coefs[blocks.local[o]] += coef;
                }
                let relation = problem.relations[r];
                Row { coefs, rhs: relation.rhs, equal: relation.kind == RelationKind::Equal }
            })
            .collect();
        match project(&rows, bounds, ELIMINATE_ROWS) {
            Projection::Intervals(intervals) => {
                for (bound, interval) in bounds.iter_mut().zip(intervals) {
                    *bound = settle(interval, *bound);
                }
                return Ok(());
            }
            Projection::Infeasible => return Err(AuditError::Infeasible),
            Projection::TooLarge => {}
        }
    }
    lp_block(problem, blocks, block, bounds, path)
}

/// The relations of a block that couple two or more of its cells (the rest are bounds).
fn coupling_of(problem: &Hidden, blocks: &Blocks, block: usize) -> Vec<usize> {
    blocks.relations(block).iter().copied().filter(|&r| problem.terms(r).len() > 1).collect()
}

/// The most rows elimination may make (its largest block is [`MAX_CELLS`] cells).
const ELIMINATE_ROWS: usize = 256;

/// The block of a proportion whose numerator and denominator are both hidden for both sexes
/// under published totals, the commonest block after the pair: `a₁ + a₂ = c₁`,
/// `b₁ + b₂ = c₂`, `a₁ − b₁ ≤ r₁`, `a₂ − b₂ ≤ r₂` (x ≤ n for each sex), each cell in a box.
/// Cells are block positions.
#[derive(Debug, PartialEq)]
struct Linked {
    /// `a₁`, `a₂`, `b₁`, `b₂`.
    cells: [usize; 4],
    c1: f64,
    c2: f64,
    r1: f64,
    r2: f64,
}

impl Linked {
    /// The block's four coupling relations in this shape (after dividing each by its
    /// coefficient), or `None` for any other shape.
    fn find(problem: &Hidden, blocks: &Blocks, relations: &[usize]) -> Option<Linked> {
        let mut sums = Vec::with_capacity(2);
        let mut orders = Vec::with_capacity(2);
        for &r in relations {
            let relation = problem.relations[r];
            let local = |o: usize| blocks.local[o];
            match (problem.terms(r), relation.kind) {
                ([_], _) => {}
                (&[(u, alpha), (v, beta)], RelationKind::Equal) if alpha == beta => {
                    sums.push(([local(u), local(v)], relation.rhs / alpha));
                }
                (&[(u, alpha), (v, beta)], RelationKind::AtMost) if alpha == -beta && alpha != 0.0 => {
                    // alpha·u − alpha·v ≤ rhs: the positive side is at most the other plus rhs/|alpha|.
                    let (high, low) = if alpha > 0.0 { (u, v) } else { (v, u) };
                    orders.push((local(high), local(low), relation.rhs / alpha.abs()));
                }
                _ => return None,
            }
        }
        let ([(a, c1), (b, c2)], [first, second]) = (sums.as_slice(), orders.as_slice()) else { return None };
        // Both orders bound a cell of one sum by a cell of the other, from the same side.
        let (a, c1, b, c2) = if a.contains(&first.0) { (a, *c1, b, *c2) } else { (b, *c2, a, *c1) };
        let pair = |&(high, low, _): &(usize, usize, f64)| a.contains(&high) && b.contains(&low);
        let shared = a.iter().any(|c| b.contains(c));
        if shared || !pair(first) || !pair(second) || first.0 == second.0 || first.1 == second.1 {
            return None;
        }
        Some(Linked { cells: [first.0, second.0, first.1, second.1], c1, c2, r1: first.2, r2: second.2 })
    }

    /// The attacker's intervals, by eliminating variables. With `a = a₁`, `b = b₁`:
    /// `a₂ = c₁ − a`, `b₂ = c₂ − b`, and the orders read `−r₁ ≤ b − a ≤ c₂ − c₁ + r₂`. So
    /// the feasible set is `{(a, b) : a ∈ A, b ∈ B, L ≤ b − a ≤ U}` with `A` the box of `a`
    /// intersected with `c₁ −` the box of `a₂` (likewise `B`), `L = −r₁`, `U = c₂ − c₁ + r₂`.
    ///
    /// **Why this is exact** — Fourier–Motzkin elimination of `b` pairs each lower bound of
    /// `b` (`B`'s low end, `a + L`) with each upper bound (`B`'s high end, `a + U`), and gives
    /// the projection of the feasible set on `a` exactly: `a ∈ A`, `a ≥ B.low − U`,
    /// `a ≤ B.high − L`, provided `L ≤ U` and `B` is not empty. The least and greatest `a` of
    /// the set are the ends of that interval, and `a₂ = c₁ − a` takes its extremes there too.
    /// Eliminating `a` instead gives `b ∈ B ∩ [A.low + L, A.high + U]`, and `b₂ = c₂ − b`. The
    /// set is empty exactly when one of these intervals is (the LP is then infeasible).
    /// A property test checks it against the LP.
    fn solve(&self, bounds: &mut [Interval]) -> Result<(), AuditError> {
        let [a1, a2, b1, b2] = self.cells;
        let along = |cell: Interval, other: Interval, c: f64| (cell.0.max(c - other.1), cell.1.min(c - other.0));
        let a = along(bounds[a1], bounds[a2], self.c1);
        let b = along(bounds[b1], bounds[b2], self.c2);
        let (low, high) = (-self.r1, self.c2 - self.c1 + self.r2);
        let (a, b) = ((a.0.max(b.0 - high), a.1.min(b.1 - low)), (b.0.max(a.0 + low), b.1.min(a.1 + high)));
        if is_empty(low, high) || is_empty(a.0, a.1) || is_empty(b.0, b.1) {
            return Err(AuditError::Infeasible);
        }
        let (a, b) = ((a.0, a.1.max(a.0)), (b.0, b.1.max(b.0)));
        bounds[a1] = a;
        bounds[a2] = (self.c1 - a.1, self.c1 - a.0);
        bounds[b1] = b;
        bounds[b2] = (self.c2 - b.1, self.c2 - b.0);
        Ok(())
    }
}

/// The attacker's intervals for `a` and `b` given `a ∈ [la, ua]`, `b ∈ [lb, ub]` and `a + b = c`
/// (with `0 ≤ la`, `0 ≤ lb`; `ua`, `ub` may be `+∞`):
///
/// `a ∈ [max(la, c − ub), min(ua, c − lb)]`, `b ∈ [max(lb, c − ua), min(ub, c − la)]`.
///
/// **Why this is exact** — it is the optimum of the 2-variable LP `min/max a` subject to
/// `a + b = c, la ≤ a ≤ ua, lb ≤ b ≤ ub`. The equality makes `b = c − a`, so the feasible set
/// `F` is the image of `A = {a : la ≤ a ≤ ua, lb ≤ c − a ≤ ub}` under the bijection
/// `a ↦ (a, c − a)`, and `min_F a = min A`, `max_F a = max A`. Rewriting `lb ≤ c − a ≤ ub` as
/// `c − ub ≤ a ≤ c − lb`, `A` is the intersection of two closed intervals,
/// `[max(la, c − ub), min(ua, c − lb)]`: its endpoints are the LP optima, and `F` (hence the LP) is
/// infeasible exactly when the lower endpoint exceeds the upper. By symmetry (swap `a` and `b`)
/// the same holds for `b`; and `b`'s interval is `c −` `a`'s, so both are empty together. With
/// `la = lb = 0` and no upper bounds this is STATISTICS.md D1: K, M ∈ [0, T].
fn pair_interval((la, ua): Interval, (lb, ub): Interval, c: f64) -> Result<(Interval, Interval), AuditError> {
    let a = (la.max(c - ub), ua.min(c - lb));
    let b = (lb.max(c - ua), ub.min(c - la));
    if is_empty(a.0, a.1) || is_empty(b.0, b.1) {
        return Err(AuditError::Infeasible);
    }
    Ok(((a.0, a.1.max(a.0)), (b.0, b.1.max(b.0))))
}

/// The attacker's intervals in a block whose cells share one relation `Σ aⱼyⱼ (= | ≤) r`
/// (besides each cell's own bounds `yⱼ ∈ Bⱼ`), such as a K, M and T all hidden: bound
/// propagation, which is exact here.
///
/// **Why this is exact** — the interval of `yᵢ` over the feasible set is its projection. Fix
/// `yᵢ`; the other cells range over their box, a connected set, so `Σⱼ≠ᵢ aⱼyⱼ` takes every
/// value of the interval `S = [Σⱼ≠ᵢ min aⱼyⱼ, Σⱼ≠ᵢ max aⱼyⱼ]` (ends included where finite).
/// Hence `yᵢ` is feasible exactly when `yᵢ ∈ Bᵢ` and `r − aᵢyᵢ ∈ S` (for `=`), or
/// `r − aᵢyᵢ ≥ min S` (for `≤`): the interval [`propagate`]'s first sweep computes for `yᵢ`. A
/// later sweep only removes values no feasible point has, so it cannot narrow an exact
/// projection further, and an empty projection is an infeasible block. A property test checks
/// it against the LP.
fn one_relation(
    problem: &Hidden,
    blocks: &Blocks,
    coupling: &[usize],
    bounds: &[Interval],
) -> Result<Vec<Interval>, AuditError> {
    debug_assert_eq!(coupling.len(), 1);
    propagate(problem, blocks, coupling, bounds)
}

/// Solves a block by LP: for each cell, minimise and maximise it subject to the coupling
/// relations, with the single-cell relations (already in `bounds`, indexed by block position) as
/// variable bounds.
///
/// Most optima need no LP of their own. Two cheap facts bracket each optimum: bound propagation
/// over the relations ([`propagate`]) gives an *outer* interval that contains every feasible value
/// (each step only drops values no feasible point has), and every LP solution is a feasible point,
/// so each cell's value in it is *attained*. `outer low ≤ min ≤ lowest attained` and
/// `highest attained ≤ max ≤ outer high`: where the two sides meet, the optimum is known exactly
/// and its LP is skipped. The block's cells are solved in order, so the points found for early
/// cells settle most of the later ones. (`Path::LpOnly` solves every optimum, for the tests.)
fn lp_block(
    problem: &Hidden,
    blocks: &Blocks,
    block: usize,
    bounds: &mut [Interval],
    path: Path,
) -> Result<(), AuditError> {
    let cells = blocks.cells(block);
    let box_bounds = bounds.to_vec();
    let coupling = coupling_of(problem, blocks, block);
    let outer =
        if path == Path::Auto { propagate(problem, blocks, &coupling, &box_bounds)? } else { box_bounds.clone() };
    // Lowest and highest value each cell takes in a feasible point found so far.
    let mut attained = vec![(f64::INFINITY, f64::NEG_INFINITY); cells.len()];

    let optimum =
        |target: usize, direction: ObjectiveDirection, attained: &mut [Interval]| -> Result<Option<f64>, AuditError> {
            let mut variables = ProblemVariables::new();
            let y: Vec<_> =
                box_bounds.iter().map(|&(low, high)| variables.add(good_lp::variable().min(low).max(high))).collect();
            let mut model = variables.optimise(direction, y[target]).using(microlp);
            for &r in &coupling {
                let terms = problem.terms(r);
                let mut lhs = Expression::with_capacity(terms.len());
                for &(o, coef) in terms {
                    lhs.add_mul(coef, y[blocks.local[o]]);
                }
                let rhs = problem.relations[r].rhs;
                model.add_constraint(match problem.relations[r].kind {
                    RelationKind::Equal => lhs.eq(rhs),
                    RelationKind::AtMost => lhs.leq(rhs),
                });
            }
            match model.solve() {
                Ok(solution) => {
                    for (seen, &v) in attained.iter_mut().zip(&y) {
                        let value = snap(solution.value(v));
                        *seen = (seen.0.min(value), seen.1.max(value));
                    }
                    Ok(Some(solution.value(y[target])))
                }
                Err(ResolutionError::Unbounded) => Ok(None),
                Err(ResolutionError::Infeasible) => Err(AuditError::Infeasible),
                Err(error) => Err(AuditError::Solver(error.to_string())),
            }
        };
    let settled = |attained: f64, outer: f64| path == Path::Auto && close(attained, outer);
    for (i, bound) in bounds.iter_mut().enumerate() {
        let (floor, ceiling) = box_bounds[i];
        let low = if settled(attained[i].0, outer[i].0) {
            outer[i].0
        } else {
            optimum(i, ObjectiveDirection::Minimisation, &mut attained)?
                .ok_or_else(|| AuditError::Solver("minimum of a non-negative cell reported unbounded".into()))?
        };
        let high = if settled(attained[i].1, outer[i].1) {
            outer[i].1
        } else {
            optimum(i, ObjectiveDirection::Maximisation, &mut attained)?.unwrap_or(f64::INFINITY)
        };
        *bound = settle((low, high), (floor, ceiling));
    }
    Ok(())
}

/// Whether two finite values agree up to LP round-off (1e-9 relative).
fn close(a: f64, b: f64) -> bool {
    a.is_finite() && b.is_finite() && (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Bound propagation (interval constraint propagation): an outer interval for every cell of a
/// block, each containing all values the cell takes in any feasible point.
///
/// For a relation Σ aⱼyⱼ (= | ≤) r, every feasible point has aᵢyᵢ ≤ r − Σⱼ≠ᵢ min(aⱼyⱼ) over the
/// current intervals, and for `=` also aᵢyᵢ ≥ r − Σⱼ≠ᵢ max(aⱼyⱼ); narrowing yᵢ accordingly keeps
/// every feasible point, so any number of sweeps is sound. Sweeps stop when nothing narrows by
/// more than round-off, or after 32 (the result is then merely less tight, which only costs LPs).
fn propagate(
    problem: &Hidden,
    blocks: &Blocks,
    coupling: &[usize],
    box_bounds: &[Interval],
) -> Result<Vec<Interval>, AuditError> {
    let mut b = box_bounds.to_vec();
    // The range of a·y over y ∈ [low, high].
    let range = |a: f64, (low, high): Interval| if a > 0.0 { (a * low, a * high) } else { (a * high, a * low) };
    for _ in 0..32 {
        let mut changed = false;
        for &r in coupling {
            let relation = problem.relations[r];
            let terms = problem.terms(r);
            // Σ of the minima and maxima, counting infinite parts apart so one term can be left out.
            let (mut min_sum, mut min_inf, mut max_sum, mut max_inf) = (0.0, 0, 0.0, 0);
            for &(o, a) in terms {
                let (lo, hi) = range(a, b[blocks.local[o]]);
                if lo.is_finite() {
                    min_sum += lo
                } else {
                    min_inf += 1
                }
                if hi.is_finite() { max_sum += hi } else { max_inf += 1 }
            }
            for &(o, a) in terms {
                let i = blocks.local[o];
                let (lo, hi) = range(a, b[i]);
                let others_min = if lo.is_finite() {
                    if min_inf == 0 { min_sum - lo } else { f64::NEG_INFINITY }
                } else if min_inf == 1 {
                    min_sum
                } else {
                    f64::NEG_INFINITY
                };
                let others_max = if hi.is_finite() {
                    if max_inf == 0 { max_sum - hi } else { f64::INFINITY }
                } else if max_inf == 1 {
                    max_sum
                } else {
                    f64::INFINITY
                };
                // a·yᵢ ≤ r − others_min; for `=` also a·yᵢ ≥ r − others_max.
                let upper = relation.rhs - others_min;
                let lower =
                    if relation.kind == RelationKind::Equal { relation.rhs - others_max } else { f64::NEG_INFINITY };
                let (mut low, mut high) = b[i];
                if a > 0.0 {
                    high = high.min(upper / a);
                    low = low.max(lower / a);
                } else {
                    low = low.max(upper / a);
                    high = high.min(lower / a);
                }
                if is_empty(low, high) {
                    return Err(AuditError::Infeasible);
                }
                let high = high.max(low);
                let tol = 1e-9 * low.abs().max(1.0);
                if low > b[i].0 + tol || high < b[i].1 - 1e-9 * high.abs().max(1.0) {
                    changed = true;
                }
                b[i] = (low, high);
            }
        }
        if !changed {
            break;
        }
    }
    Ok(b)
}

/// A solved interval rounded (see [`snap`]) and kept inside the cell's box.
fn settle((low, high): Interval, (floor, ceiling): Interval) -> Interval {
    let low = snap(low).clamp(floor, ceiling);
    (low, snap(high).clamp(floor, ceiling).max(low))
}

/// Rounds LP round-off away: `x` within 1e-9 (relative) of an integer becomes that integer.
fn snap(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * x.abs().max(1.0) { r + 0.0 } else { x } // `+ 0.0` turns −0 into 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const INF: f64 = f64::INFINITY;

    fn intervals(exposures: &[Exposure]) -> Vec<(usize, f64, f64)> {
        exposures.iter().map(|e| (e.cell, e.low, e.high)).collect()
    }

    /// A triple T = K + M with T published.
    fn triple(table: &mut Table, k: f64, m: f64, k_hidden: bool, m_hidden: bool) -> (usize, usize, usize) {
        let kc = table.cell(k, !k_hidden);
        let mc = table.cell(m, !m_hidden);
        let tc = table.cell(k + m, true);
        table.equal(vec![(tc, 1.0), (kc, -1.0), (mc, -1.0)], 0.0);
        (kc, mc, tc)
    }

    /// STATISTICS.md §3.5, worked example D1: T = 42, K = 2, M = 40, K primary, M secondary.
    #[test]
    fn d1_triple_is_protected() {
        let mut table = Table::default();
        let (k, m, _) = triple(&mut table, 2.0, 40.0, true, true);
        let exposures = table.attack().unwrap();
        assert_eq!(intervals(&exposures), vec![(k, 0.0, 42.0), (m, 0.0, 42.0)]);
        assert!(exposures.iter().all(|e| e.protected(3.0)));
    }

    /// Worked example D2: organisations A, B, C and a published partner-group column.
    /// Returns the table and the cell indices `[org][K, M, T]` (org 3 = group).
    fn d2(hidden: &[(usize, usize)]) -> (Table, [[usize; 3]; 4]) {
        let values = [[2.0, 40.0], [15.0, 18.0], [20.0, 25.0]];
        let mut table = Table::default();
        let mut ids = [[0; 3]; 4];
        for (org, [k, m]) in values.iter().enumerate() {
            let (kc, mc, tc) = triple(&mut table, *k, *m, hidden.contains(&(org, 0)), hidden.contains(&(org, 1)));
            ids[org] = [kc, mc, tc];
        }
        for sex in 0..3 {
            let total: f64 = ids[..3].iter().map(|org| table.cells[org[sex]].value).sum();
            ids[3][sex] = table.cell(total, true);
            let mut terms = vec![(ids[3][sex], 1.0)];
            terms.extend(ids[..3].iter().map(|org| (org[sex], -1.0)));
            table.equal(terms, 0.0);
        }
        table.equal(vec![(ids[3][2], 1.0), (ids[3][0], -1.0), (ids[3][1], -1.0)], 0.0);
        (table, ids)
    }

    #[test]
    fn d2_suppressing_one_organisations_sexes_discloses_through_the_group_row() {
        let (table, ids) = d2(&[(0, 0), (0, 1)]);
        let exposures = table.attack().unwrap();
        assert_eq!(intervals(&exposures), vec![(ids[0][0], 2.0, 2.0), (ids[0][1], 40.0, 40.0)]);
        assert!(!exposures[0].protected(3.0));
    }

    #[test]
    fn d2_suppressing_one_sex_in_two_organisations_discloses_through_the_totals() {
        let (table, ids) = d2(&[(0, 0), (1, 0)]);
        let exposures = table.attack().unwrap();
        assert_eq!(intervals(&exposures), vec![(ids[0][0], 2.0, 2.0), (ids[1][0], 15.0, 15.0)]);
        assert!(!exposures[0].protected(1.0));
    }

    #[test]
    fn d2_rectangle_is_protected() {
        let (table, ids) = d2(&[(0, 0), (0, 1), (1, 0), (1, 1)]);
        let exposures = table.attack().unwrap();
        assert_eq!(
            intervals(&exposures),
            vec![(ids[0][0], 0.0, 17.0), (ids[0][1], 25.0, 42.0), (ids[1][0], 0.0, 17.0), (ids[1][1], 16.0, 33.0)]
        );
        assert!(exposures.iter().all(|e| e.protected(3.0) && e.width() == 17.0));
    }

    /// K ≤ n_K = 10 and M ≤ n_M = 3 (published denominators), T = 12: K ∈ [9, 10], M ∈ [2, 3].
    #[test]
    fn published_denominators_narrow_the_interval() {
        let mut table = Table::default();
        let (k, m, _) = triple(&mut table, 9.0, 3.0, true, true);
        let nk = table.cell(10.0, true);
        let nm = table.cell(3.0, true);
        table.at_most(vec![(k, 1.0), (nk, -1.0)], 0.0);
        table.at_most(vec![(m, 1.0), (nm, -1.0)], 0.0);
        assert_eq!(intervals(&table.attack().unwrap()), vec![(k, 9.0, 10.0), (m, 2.0, 3.0)]);
        assert_eq!(intervals(&table.attack_with(Path::LpOnly).unwrap()), vec![(k, 9.0, 10.0), (m, 2.0, 3.0)]);
    }

    #[test]
    fn a_cell_in_no_relation_is_unbounded() {
        let mut table = Table::default();
        table.cell(5.0, true);
        let lonely = table.cell(3.0, false);
        let exposures = table.attack().unwrap();
        assert_eq!(exposures, vec![Exposure { cell: lonely, low: 0.0, high: INF }]);
        assert_eq!(exposures[0].width(), INF);
        assert!(exposures[0].protected(1e6));
    }

    #[test]
    fn unbounded_in_an_lp_block() {
        // T hidden with K, M hidden under a group total for K only: M and T are unbounded.
        let mut table = Table::default();
        let k = table.cell(2.0, false);
        let m = table.cell(40.0, false);
        let t = table.cell(42.0, false);
        let k2 = table.cell(5.0, false);
        let g = table.cell(7.0, true);
        table.equal(vec![(t, 1.0), (k, -1.0), (m, -1.0)], 0.0);
        table.equal(vec![(g, 1.0), (k, -1.0), (k2, -1.0)], 0.0);
        let got = intervals(&table.attack().unwrap());
        assert_eq!(got, vec![(k, 0.0, 7.0), (m, 0.0, INF), (t, 0.0, INF), (k2, 0.0, 7.0)]);
    }

    #[test]
    fn hiding_one_sex_under_a_published_total_discloses_it() {
        let mut table = Table::default();
        let (k, _, _) = triple(&mut table, 2.0, 40.0, true, false);
        assert_eq!(intervals(&table.attack().unwrap()), vec![(k, 2.0, 2.0)]);
    }

    #[test]
    fn inconsistent_published_cells_are_not_the_audits_business() {
        // SCB's Cell Key Method: K + M ≠ T is legal when everything is published.
        let mut table = Table::default();
        let (_, _, t) = triple(&mut table, 2.0, 40.0, false, false);
        table.cells[t].value = 43.0;
        assert_eq!(table.attack().unwrap(), vec![]);
    }

    #[test]
    fn contradictory_constants_around_a_hidden_cell_are_infeasible() {
        let mut table = Table::default();
        let (k, m, _) = triple(&mut table, 2.0, 40.0, true, true);
        let nk = table.cell(1.0, true);
        let nm = table.cell(1.0, true);
        table.at_most(vec![(k, 1.0), (nk, -1.0)], 0.0);
        table.at_most(vec![(m, 1.0), (nm, -1.0)], 0.0);
        assert!(matches!(table.attack(), Err(AuditError::Infeasible)));
        assert!(matches!(table.attack_with(Path::LpOnly), Err(AuditError::Infeasible)));
        // A single cell: K = 2 from one relation, K ≤ 1 from another.
        let mut table = Table::default();
        let (k, _, _) = triple(&mut table, 2.0, 40.0, true, false);
        table.at_most(vec![(k, 1.0)], 1.0);
        assert!(matches!(table.attack(), Err(AuditError::Infeasible)));
        // A negative total.
        let mut table = Table::default();
        let k = table.cell(1.0, false);
        table.equal(vec![(k, 1.0)], -1.0);
        assert!(matches!(table.attack(), Err(AuditError::Infeasible)));
    }

    #[test]
    fn a_nan_constant_is_an_error_not_a_dropped_relation() {
        let mut table = Table::default();
        let (_, _, t) = triple(&mut table, 2.0, 40.0, true, true);
        table.cells[t].value = f64::NAN;
        assert!(matches!(table.attack(), Err(AuditError::Solver(_))));
        // A hidden cell's own value is never read.
        let mut table = Table::default();
        let (k, m, _) = triple(&mut table, 2.0, 40.0, true, true);
        table.cells[k].value = f64::NAN;
        assert_eq!(intervals(&table.attack().unwrap()), vec![(k, 0.0, 42.0), (m, 0.0, 42.0)]);
    }

    #[test]
    fn repeated_terms_add_up_and_cancelling_terms_vanish() {
        let mut table = Table::default();
        let k = table.cell(2.0, false);
        let m = table.cell(40.0, false);
        let x = table.cell(1.0, false);
        // K + K − K + M = 42 and X − X = 0 (says nothing about X).
        table.equal(vec![(k, 1.0), (m, 1.0), (k, 1.0), (k, -1.0), (x, 1.0), (x, -1.0)], 42.0);
        let got = intervals(&table.attack().unwrap());
        assert_eq!(got, vec![(k, 0.0, 42.0), (m, 0.0, 42.0), (x, 0.0, INF)]);
    }

    #[test]
    fn vacuous_upper_bound_is_ignored() {
        let mut table = Table::default();
        let k = table.cell(2.0, false);
        table.at_most(vec![(k, 1.0)], INF);
        assert_eq!(intervals(&table.attack().unwrap()), vec![(k, 0.0, INF)]);
    }

    /// A proportion hidden for both sexes under published totals (x_T = 5, n_T = 10) takes
    /// the closed form, not the LP: with n_K ≤ 4, x_K ≤ n_K gives x_K ∈ [0, 4], x_M = 5 − x_K
    /// ∈ [1, 5], n_K ∈ [0, 4], n_M = 10 − n_K ∈ [6, 10].
    #[test]
    fn a_proportion_hidden_for_both_sexes_is_solved_in_closed_form() {
        let mut table = Table::default();
        let [xk, xm, nk, nm] = [0; 4].map(|_| table.cell(f64::NAN, false));
        let (xt, nt) = (table.cell(5.0, true), table.cell(10.0, true));
        table.equal(vec![(xk, 1.0), (xm, 1.0), (xt, -1.0)], 0.0);
        table.equal(vec![(nk, 1.0), (nm, 1.0), (nt, -1.0)], 0.0);
        table.at_most(vec![(xk, 1.0), (nk, -1.0)], 0.0);
        table.at_most(vec![(xm, 1.0), (nm, -1.0)], 0.0);
        table.at_most(vec![(nk, 1.0)], 4.0);
        let problem = Hidden::substitute(&table).unwrap();
        let blocks = Blocks::new(&problem);
        assert_eq!(blocks.len(), 1);
        let linked = Linked::find(&problem, &blocks, blocks.relations(0)).expect("the linked shape");
        assert_eq!((linked.c1, linked.c2, linked.r1, linked.r2), (5.0, 10.0, 0.0, 0.0));
        let got = intervals(&table.attack().unwrap());
        assert_eq!(got, [(xk, 0.0, 4.0), (xm, 1.0, 5.0), (nk, 0.0, 4.0), (nm, 6.0, 10.0)]);
        assert_eq!(intervals(&table.attack_with(Path::LpOnly).unwrap()), got);
    }

    #[test]
    fn many_blocks_come_back_in_cell_order() {
        // Interleave two-cell blocks, single cells and a rectangle linked across the table.
        let (mut table, ids) = d2(&[(0, 0), (0, 1), (1, 0), (1, 1)]);
        let (k, m, _) = triple(&mut table, 3.0, 4.0, true, true);
        let lonely = table.cell(1.0, false);
        let exposures = table.attack().unwrap();
        let cells: Vec<usize> = exposures.iter().map(|e| e.cell).collect();
        assert_eq!(cells, vec![ids[0][0], ids[0][1], ids[1][0], ids[1][1], k, m, lonely]);
        assert_eq!(
            exposures[4..].iter().map(|e| (e.low, e.high)).collect::<Vec<_>>(),
            [(0.0, 7.0), (0.0, 7.0), (0.0, INF)]
        );
        assert_eq!(intervals(&table.attack().unwrap()), intervals(&exposures)); // deterministic
    }

    #[test]
    fn lp_solves_general_coefficients() {
        // 2a + 3b = 12, a − b ≤ 1 → b ∈ [2, 4], a ∈ [0, 3].
        let mut table = Table::default();
        let a = table.cell(3.0, false);
        let b = table.cell(2.0, false);
        table.equal(vec![(a, 2.0), (b, 3.0)], 12.0);
        table.at_most(vec![(a, 1.0), (b, -1.0)], 1.0);
        assert_eq!(intervals(&table.attack().unwrap()), vec![(a, 0.0, 3.0), (b, 2.0, 4.0)]);
    }

    /// A random organisation: K, M, and optional published denominators n_K = K + dK, n_M = M + dM.
    type Org = (u32, u32, Option<(u32, u32)>);

    /// Builds the table; returns it, the inner cells `[K₀, M₀, K₁, M₁, …]` and each inner cell's
    /// published organisation total T (the oracle's enumeration bound: K ≤ T because M ≥ 0).
    fn random_table(orgs: &[Org], group: bool, hidden: &[usize]) -> (Table, Vec<usize>, Vec<f64>) {
        let mut table = Table::default();
        let (mut inner, mut totals, mut org_totals) = (Vec::new(), Vec::new(), Vec::new());
        for (o, &(k, m, denominators)) in orgs.iter().enumerate() {
            let (kc, mc, tc) =
                triple(&mut table, k.into(), m.into(), hidden.contains(&(2 * o)), hidden.contains(&(2 * o + 1)));
            if let Some((dk, dm)) = denominators {
                let nk = table.cell((k + dk).into(), true);
                let nm = table.cell((m + dm).into(), true);
                table.at_most(vec![(kc, 1.0), (nk, -1.0)], 0.0);
                table.at_most(vec![(mc, 1.0), (nm, -1.0)], 0.0);
            }
            inner.extend([kc, mc]);
            totals.extend([f64::from(k + m); 2]);
            org_totals.push([kc, mc, tc]);
        }
        if group {
            let mut group_cells = [0; 3];
            for sex in 0..3 {
                let sum: f64 = org_totals.iter().map(|org| table.cells[org[sex]].value).sum();
                group_cells[sex] = table.cell(sum, true);
                let mut terms = vec![(group_cells[sex], 1.0)];
                terms.extend(org_totals.iter().map(|org| (org[sex], -1.0)));
                table.equal(terms, 0.0);
            }
            table.equal(vec![(group_cells[2], 1.0), (group_cells[0], -1.0), (group_cells[1], -1.0)], 0.0);
        }
        (table, inner, totals)
    }

    /// A relation and its terms, checked once its last hidden cell has a value.
    type Check<'a> = (&'a Relation, &'a [(usize, f64)]);

    /// Brute force: every integer assignment of the hidden cells in `0..=bound[cell]` that satisfies
    /// every relation (published cells at their values); min and max per hidden cell, in cell order.
    /// Backtracks: a relation is checked as soon as its last hidden cell is assigned.
    fn oracle(table: &Table, hidden: &[usize], bound: &[f64]) -> Vec<(usize, f64, f64)> {
        let position = |cell: usize| hidden.iter().position(|&h| h == cell);
        let mut check_at: Vec<Vec<Check>> = vec![Vec::new(); hidden.len()];
        for relation in &table.relations {
            if let Some(last) = table.terms_of(relation).iter().filter_map(|t| position(t.0)).max() {
                check_at[last].push((relation, table.terms_of(relation)));
            }
        }
        let mut values: Vec<f64> = table.cells.iter().map(|c| c.value).collect();
        let mut result: Vec<(usize, f64, f64)> = hidden.iter().map(|&h| (h, INF, -INF)).collect();
        fn go(
            depth: usize,
            hidden: &[usize],
            bound: &[f64],
            check_at: &[Vec<Check>],
            values: &mut [f64],
            result: &mut [(usize, f64, f64)],
        ) {
            if depth == hidden.len() {
                for (r, &h) in result.iter_mut().zip(hidden) {
                    r.1 = r.1.min(values[h]);
                    r.2 = r.2.max(values[h]);
                }
                return;
            }
            let mut v = 0.0;
            while v <= bound[depth] {
                values[hidden[depth]] = v;
                let ok = check_at[depth].iter().all(|(rel, terms)| {
                    let lhs: f64 = terms.iter().map(|&(c, coef)| coef * values[c]).sum();
                    match rel.kind {
                        RelationKind::Equal => (lhs - rel.rhs).abs() < 1e-9,
                        RelationKind::AtMost => lhs <= rel.rhs + 1e-9,
                    }
                });
                if ok {
                    go(depth + 1, hidden, bound, check_at, values, result);
                }
                v += 1.0;
            }
        }
        go(0, hidden, bound, &check_at, &mut values, &mut result);
        result
    }

    fn org() -> impl Strategy<Value = Org> {
        (0..=12u32, 0..=12u32, proptest::option::of((0..=3u32, 0..=3u32)))
    }

    /// The same cells with the same attacker intervals (to 1e-6; an unbounded high equals itself).
    fn same_exposures(a: &[Exposure], b: &[Exposure]) -> Result<(), TestCaseError> {
        prop_assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            prop_assert_eq!(x.cell, y.cell);
            prop_assert!((x.low - y.low).abs() < 1e-6, "{:?} vs {:?}", a, b);
            prop_assert!(x.high == y.high || (x.high - y.high).abs() < 1e-6, "{:?} vs {:?}", a, b);
        }
        Ok(())
    }

    /// Single-cell bounds `lowers[i] ≤ y[i] ≤ uppers[i]`, where given.
    fn boxes(table: &mut Table, y: &[usize], uppers: &[Option<u32>], lowers: &[Option<u32>]) {
        for (&cell, (upper, lower)) in y.iter().zip(uppers.iter().zip(lowers)) {
            if let Some(u) = upper {
                table.at_most(vec![(cell, 1.0)], f64::from(*u));
            }
            if let Some(l) = lower {
                table.at_most(vec![(cell, -1.0)], -f64::from(*l));
            }
        }
    }

    /// A block's closed form agrees with the LP on `table`: the same `cells` intervals, or both
    /// find the relations infeasible.
    fn closed_form_agrees(table: &Table, cells: usize) -> Result<(), TestCaseError> {
        match (table.attack(), table.attack_with(Path::LpOnly)) {
            (Ok(closed), Ok(lp)) => {
                prop_assert_eq!(closed.len(), cells);
                same_exposures(&closed, &lp)
            }
            (Err(AuditError::Infeasible), Err(AuditError::Infeasible)) => Ok(()),
            (closed, lp) => Err(TestCaseError::fail(format!("closed form {closed:?}, LP {lp:?}"))),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The LP interval equals the brute-force integer interval: these tables (org × sex with
        /// margins, plus single-cell bounds) are totally unimodular, so LP optima are integral.
        #[test]
        fn attack_matches_brute_force(
            (orgs, hidden) in (2usize..=4).prop_flat_map(|n| (
                proptest::collection::vec(org(), n),
                proptest::sample::subsequence((0..2 * n).collect::<Vec<_>>(), 1..=4),
            )),
            group in any::<bool>(),
        ) {
            let (table, inner, totals) = random_table(&orgs, group, &hidden);
            let hidden_cells: Vec<usize> = hidden.iter().map(|&i| inner[i]).collect();
            let bound: Vec<f64> = hidden.iter().map(|&i| totals[i]).collect();
            let expected = oracle(&table, &hidden_cells, &bound);
            let got = intervals(&table.attack().unwrap());
            prop_assert_eq!(got.len(), expected.len());
            for (g, e) in got.iter().zip(&expected) {
                prop_assert_eq!(g.0, e.0);
                prop_assert!((g.1 - e.1).abs() < 1e-6 && (g.2 - e.2).abs() < 1e-6, "got {:?}, expected {:?}", got, expected);
            }
        }

        /// Skipping LPs (bound propagation meeting attained points) gives the same intervals as
        /// solving every optimum, on random blocks of linked sums and orderings such as a numerator
        /// triple within a denominator triple, both partly hidden.
        #[test]
        fn skipped_optima_equal_the_lp(
            values in proptest::collection::vec(0..=20u32, 3..=7),
            hidden in proptest::collection::vec(any::<bool>(), 7),
            sums in proptest::collection::vec((proptest::collection::vec(any::<bool>(), 7), prop_oneof![Just(1.0), Just(-2.0)]), 1..=3),
            orders in proptest::collection::vec((0..7usize, 0..7usize), 0..=3),
        ) {
            let mut table = Table::default();
            let n = values.len();
            let cells: Vec<usize> = (0..n).map(|i| table.cell(values[i].into(), !hidden[i])).collect();
            for (members, coef) in &sums {
                let terms: Vec<(usize, f64)> = (0..n).filter(|&i| members[i]).map(|i| (cells[i], *coef)).collect();
                let total: f64 = terms.iter().map(|&(c, a)| a * table.cells[c].value).sum();
                let t = table.cell(total / coef, true);
                let mut terms = terms;
                terms.push((t, -coef));
                table.equal(terms, 0.0);
            }
            for &(x, y) in &orders {
                let (x, y) = (x % n, y % n);
                if x != y && values[x] <= values[y] {
                    table.at_most(vec![(cells[x], 1.0), (cells[y], -1.0)], 0.0);
                }
            }
            let (fast, full) = (table.attack().unwrap(), table.attack_with(Path::LpOnly).unwrap());
            same_exposures(&fast, &full)?;
        }

        /// The closed form of a proportion hidden for both sexes (`Linked`: two published totals,
        /// numerator within denominator for each sex) equals the LP on the same block,
        /// infeasibility included; orders the other way round go to the LP and agree too.
        #[test]
        fn linked_closed_form_equals_lp(
            totals in (0..=30u32, 0..=40u32),
            slack in (prop_oneof![Just(0.0), Just(2.0), Just(-1.0)], prop_oneof![Just(0.0), Just(3.0)]),
            scale in prop_oneof![Just(1.0), Just(2.0), Just(-1.0), Just(0.5)],
            uppers in proptest::collection::vec(proptest::option::of(0..=35u32), 4),
            lower in proptest::option::of(0..=12u32),
            (flip, numerators_first, swapped_terms) in (any::<bool>(), any::<bool>(), any::<bool>()),
        ) {
            let mut table = Table::default();
            let y: Vec<usize> = (0..4).map(|_| table.cell(f64::NAN, false)).collect();
            let (x_t, n_t) = (table.cell(totals.0.into(), true), table.cell(totals.1.into(), true));
            let sums = [([y[0], y[1]], x_t), ([y[2], y[3]], n_t)];
            let order = if numerators_first { [0, 1] } else { [1, 0] };
            for i in order {
                let ([u, v], t) = sums[i];
                table.equal(vec![(u, scale), (v, scale), (t, -scale)], 0.0);
            }
            // x_K ≤ n_K + r₁ and x_M ≤ n_M + r₂ (`flip`: the second the other way round).
            for (k, (x, n, r)) in [(y[0], y[2], slack.0), (y[1], y[3], slack.1)].into_iter().enumerate() {
                let (x, n) = if flip && k == 1 { (n, x) } else { (x, n) };
                let terms = if swapped_terms { vec![(n, -scale.abs()), (x, scale.abs())] } else { vec![(x, scale.abs()), (n, -scale.abs())] };
                table.at_most(terms, r * scale.abs());
            }
            for (&cell, upper) in y.iter().zip(&uppers) {
                if let Some(u) = upper {
                    table.at_most(vec![(cell, 1.0)], f64::from(*u));
                }
            }
            if let Some(l) = lower {
                table.at_most(vec![(y[1], -1.0)], -f64::from(l)); // x_M ≥ l
            }
            closed_form_agrees(&table, 4)?;
        }

        /// The closed form of a block of one relation over several hidden cells (K, M and T all
        /// hidden; a numerator below a hidden denominator) equals the LP, infeasibility included.
        #[test]
        fn one_relation_equals_lp(
            coefs in proptest::collection::vec(prop_oneof![Just(1.0), Just(-1.0), Just(2.0), Just(-0.5)], 2..=5),
            rhs in -10..=40i32,
            equal in any::<bool>(),
            uppers in proptest::collection::vec(proptest::option::of(0..=25u32), 5),
            lowers in proptest::collection::vec(proptest::option::of(0..=8u32), 5),
        ) {
            let mut table = Table::default();
            let y: Vec<usize> = coefs.iter().map(|_| table.cell(f64::NAN, false)).collect();
            let terms: Vec<(usize, f64)> = y.iter().copied().zip(coefs.iter().copied()).collect();
            if equal {
                table.equal(terms, f64::from(rhs));
            } else {
                table.at_most(terms, f64::from(rhs));
            }
            boxes(&mut table, &y, &uppers, &lowers);
            closed_form_agrees(&table, y.len())?;
        }

        /// Fourier–Motzkin elimination ([`super::super::eliminate`]) equals the LP on random
        /// blocks of up to six cells: sums and orders with mixed coefficients, equalities and
        /// inequalities, boxes, infeasibility and unbounded cells included.
        #[test]
        fn elimination_equals_lp(
            n in 2..=6usize,
            relations in proptest::collection::vec((
                proptest::collection::vec(prop_oneof![Just(0.0), Just(1.0), Just(-1.0), Just(2.0), Just(-0.5)], 6),
                -5..=30i32,
                any::<bool>(),
            ), 1..=4),
            uppers in proptest::collection::vec(proptest::option::of(0..=25u32), 6),
            lowers in proptest::collection::vec(proptest::option::of(0..=8u32), 6),
        ) {
            let mut table = Table::default();
            let y: Vec<usize> = (0..n).map(|_| table.cell(f64::NAN, false)).collect();
            for (coefs, rhs, equal) in &relations {
                let terms: Vec<(usize, f64)> = y.iter().zip(coefs).filter(|(_, c)| **c != 0.0).map(|(&c, &a)| (c, a)).collect();
                if terms.is_empty() {
                    continue;
                }
                if *equal { table.equal(terms, f64::from(*rhs)) } else { table.at_most(terms, f64::from(*rhs)) }
            }
            boxes(&mut table, &y, &uppers, &lowers);
            closed_form_agrees(&table, n)?;
        }

        /// The closed form of a two-cell block equals the LP on the same block, infeasibility included.
        #[test]
        fn closed_form_equals_lp(
            c in 0..=30u32,
            scale in prop_oneof![Just(1.0), Just(2.0), Just(-1.0), Just(0.5)],
            upper_a in proptest::option::of(0..=30u32),
            upper_b in proptest::option::of(0..=30u32),
            lower_a in proptest::option::of(0..=12u32),
            via_cells in any::<bool>(),
        ) {
            let mut table = Table::default();
            let a = table.cell(f64::NAN, false);
            let b = table.cell(f64::NAN, false);
            let t = table.cell(c.into(), true);
            table.equal(vec![(a, scale), (b, scale), (t, -scale)], 0.0);
            for (cell, upper) in [(a, upper_a), (b, upper_b)] {
                if let Some(u) = upper {
                    if via_cells {
                        let n = table.cell(u.into(), true);
                        table.at_most(vec![(cell, 1.0), (n, -1.0)], 0.0);
                    } else {
                        table.at_most(vec![(cell, 1.0)], u.into());
                    }
                }
            }
            if let Some(l) = lower_a {
                table.at_most(vec![(a, -1.0)], -f64::from(l)); // a ≥ l
            }
            closed_form_agrees(&table, 2)?;
        }
    }

    /// Timing, not a check: `cargo test --lib disclosure::audit::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing() {
        let mut table = Table::default();
        for i in 0..100_000 {
            triple(&mut table, f64::from(i % 7), f64::from(i % 11 + 1), true, true);
        }
        for _ in 0..1_000 {
            let (d2, _) = d2(&[(0, 0), (0, 1), (1, 0), (1, 1)]);
            let offset = table.cells.len();
            table.cells.extend(d2.cells.iter().cloned());
            for r in &d2.relations {
                let terms = d2.terms_of(r).iter().map(|&(c, coef)| (c + offset, coef));
                match r.kind {
                    RelationKind::Equal => table.equal(terms, r.rhs),
                    RelationKind::AtMost => table.at_most(terms, r.rhs),
                }
            }
        }
        let start = std::time::Instant::now();
        let exposures = table.attack().unwrap();
        let elapsed = start.elapsed();
        assert_eq!(exposures.len(), 204_000);
        println!("attack(): 100 000 two-cell blocks + 1 000 four-cell LP blocks in {elapsed:?}");
        let pairs = Table {
            cells: table.cells[..300_000].to_vec(),
            relations: table.relations[..100_000].to_vec(),
            terms: table.terms[..table.relations[99_999].end].to_vec(),
        };
        let start = std::time::Instant::now();
        pairs.attack().unwrap();
        println!("attack(): 100 000 two-cell blocks alone in {:?}", start.elapsed());
    }
}
