//! The dense DATA block on several threads. The calling thread reads the stream in chunks cut
//! just after a separator and keeps the line count; workers parse chunks independently and
//! append their cells to the cube in file order, each when its turn comes.
//!
//! A worker only does what cannot go wrong: plain numbers and symbols. Anything else in a
//! chunk (a cell that is neither, a quoted token the cut split) or more cells than the cube
//! holds hands the rest of the stream, from that chunk on, to the one-thread path
//! ([`Dense::read_rest`]), so the result and every error are the same whichever way a file is
//! read — a property test reads the fixtures through both.

use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

use super::cells::{Cell, cell, plain_cells};
use super::data::{Dense, Symbol, Tuning};
use super::error::{PxError, PxErrorKind};
use super::scan::{SEPARATOR, Scanner, count_newlines, token_at};

/// A parsed chunk: cells, and what the reading thread needs to keep lines and errors exact.
struct Chunk {
    values: Vec<f64>,
    /// Symbol cells by index in this chunk.
    symbols: Vec<(u64, Symbol)>,
    /// Just after the last cell.
    last_end: Option<usize>,
    /// Line feeds before `last_end`, and the line start nearest before it.
    end_newlines: usize,
    end_line_start: Option<usize>,
    /// Line feeds in the whole chunk, and the start of its last line.
    newlines: usize,
    line_start: Option<usize>,
}

impl Chunk {
    /// Parses a chunk that ends after a separator (or at the end of the input), or `None` when
    /// only the exact path may judge it.
    fn parse(buf: &[u8], mut values: Vec<f64>) -> Option<Chunk> {
        let limit = buf.iter().rposition(|&c| SEPARATOR[c as usize]).map_or(0, |p| p + 1);
        values.clear();
        values.reserve(buf.len() / 4 + 16);
        let mut symbols = Vec::new();
        let mut pos = 0;
        let mut last_end = None;
        loop {
            if pos < limit {
                let (p, end) = plain_cells(&buf[..limit], pos, &mut values, usize::MAX);
                pos = p;
                last_end = end.or(last_end);
            }
            while pos < buf.len() && SEPARATOR[buf[pos] as usize] {
                pos += 1;
            }
            if pos == buf.len() {
                break;
            }
            let (start, end, quoted) = token_at(buf, pos);
            // Only the last chunk lacks a final separator: a bare token may end with the input.
            let end = match end {
                Some(end) => end,
                None if !quoted => buf.len(),
                None => return None,
            };
            match cell(&buf[start..end])? {
                Cell::Number(v) => values.push(v),
                Cell::Symbol(s) => {
                    symbols.push((values.len() as u64, s));
                    values.push(0.0);
                }
            }
            pos = if quoted { end + 1 } else { end };
            last_end = Some(pos);
        }
        let split = last_end.unwrap_or(0);
        let (before, after) = buf.split_at(split);
        let end_newlines = count_newlines(before);
        let end_line_start = before.iter().rposition(|&c| c == b'\n').map(|p| p + 1);
        let newlines = end_newlines + count_newlines(after);
        let line_start = after.iter().rposition(|&c| c == b'\n').map(|p| split + p + 1).or(end_line_start);
        Some(Chunk { values, symbols, last_end, end_newlines, end_line_start, newlines, line_start })
    }
}

/// Where the reading thread is: the file offset, line and line start of the next chunk.
#[derive(Clone, Copy)]
struct Place {
    offset: u64,
    line: u32,
    line_start: u64,
}

impl Place {
    fn locate(&self, offset: u64) -> (u64, u32, u32) {
        (offset, self.line, (offset - self.line_start) as u32 + 1)
    }
}

/// The cube as appended so far, and whose turn it is: chunks are appended in file order by the
/// worker that parsed them, so the copy and the fresh pages of the cube are spread over the
/// workers rather than left to the reading thread.
struct Turn<'d> {
    dense: &'d mut Dense,
    next: usize,
    /// A chunk could not be appended: the exact path goes on from there, and no later chunk
    /// is appended.
    stopped: bool,
}

/// What a worker reports back for chunk `i`: its bytes (for reuse, or for the exact path),
/// where lines end in it, and whether its cells went into the cube.
struct Done {
    i: usize,
    buf: Vec<u8>,
    chunk: Option<Chunk>,
    appended: bool,
}

/// Reads the dense block from `sc` (fresh, nothing consumed) into `dense`. `Ok(Some(end))` when
/// the stream is done (`end` locates the end of the last cell); `Ok(None)` when the rest is
/// left in `sc` for the exact path.
pub(super) fn read<R: Read>(
    sc: &mut Scanner<R>,
    dense: &mut Dense,
    tuning: Tuning,
) -> Result<Option<(u64, u32, u32)>, PxError> {
    debug_assert!(sc.pos == 0 && sc.cursor == 0, "a fresh scanner");
    let mut carry = sc.buf[..sc.len].to_vec();
    // How many bytes at the front of `carry` are known to hold no separator.
    let mut clean = 0;
    let mut place = Place { offset: sc.base, line: sc.line, line_start: sc.line_start };
    let mut end_at: Option<(u64, u32, u32)> = None;
    let mut eof = false;
    let in_flight = tuning.threads * 2;
    let reader = &mut sc.reader;
    let (work, jobs) = mpsc::sync_channel::<(usize, Vec<u8>)>(in_flight);
    let jobs = Mutex::new(jobs);
    let (done, results) = mpsc::channel::<Done>();
    let turn = (Mutex::new(Turn { dense, next: 0, stopped: false }), Condvar::new());
    let handover = std::thread::scope(|s| -> Result<Option<Vec<u8>>, PxError> {
        // Owned here, so that the workers stop when this closure returns.
        let work = work;
        for _ in 0..tuning.threads {
            let (jobs, done, turn) = (&jobs, done.clone(), &turn);
            s.spawn(move || {
                let mut values = Vec::new();
                while let Ok((i, buf)) = jobs.lock().map_err(drop).and_then(|j| j.recv().map_err(drop)) {
                    let mut chunk = Chunk::parse(&buf, std::mem::take(&mut values));
                    let Ok(mut t) = turn.0.lock() else { break };
                    while t.next != i {
                        let Ok(next) = turn.1.wait(t) else { return };
                        t = next;
                    }
                    let fits = |c: &Chunk| t.dense.count + c.values.len() as u64 <= t.dense.expected;
                    let appended = !t.stopped && chunk.as_ref().is_some_and(fits);
                    if let Some(c) = chunk.as_mut().filter(|_| appended) {
                        let d = &mut *t.dense;
                        d.data.symbols.extend(c.symbols.iter().map(|&(i, s)| (d.count + i, s)));
                        d.data.values.extend_from_slice(&c.values);
                        d.count += c.values.len() as u64;
                        values = std::mem::take(&mut c.values);
                    }
                    t.stopped |= !appended;
                    t.next += 1;
                    drop(t);
                    turn.1.notify_all();
                    if done.send(Done { i, buf, chunk, appended }).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let (mut sent, mut taken) = (0usize, 0usize);
        let mut starts: VecDeque<u64> = VecDeque::new();
        let mut waiting: BTreeMap<usize, Done> = BTreeMap::new();
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let mut next_offset = place.offset;
        let mut rest: Option<Vec<u8>> = None;
        loop {
            while rest.is_none() && sent - taken < in_flight && !(eof && carry.is_empty()) {
                let mut buf = spare.pop().unwrap_or_default();
                buf.clear();
                buf.append(&mut carry);
                // A carried tail holds no separator: look for the cut only in what is new.
                let new = std::mem::replace(&mut clean, 0);
                if !eof {
                    let want = tuning.chunk.max(1) as u64;
                    let at = next_offset + buf.len() as u64;
                    let n = reader
                        .by_ref()
                        .take(want)
                        .read_to_end(&mut buf)
                        .map_err(|e| PxError::new(PxErrorKind::Io(e.to_string()), at))?;
                    eof = n == 0;
                }
                let cut = match eof {
                    true => buf.len(),
                    false => buf[new..].iter().rposition(|&c| SEPARATOR[c as usize]).map_or(0, |p| new + p + 1),
                };
                carry.extend_from_slice(&buf[cut..]);
                clean = carry.len();
                buf.truncate(cut);
                if buf.is_empty() {
                    spare.push(buf);
                    continue;
                }
                starts.push_back(next_offset);
                next_offset += buf.len() as u64;
                work.send((sent, buf)).expect("workers wait for work");
                sent += 1;
            }
            if sent == taken {
                return Ok(rest.map(|mut rest| {
                    rest.append(&mut carry);
                    rest
                }));
            }
            let d = results.recv().expect("a worker answers every chunk");
            waiting.insert(d.i, d);
            while let Some(Done { buf, chunk, appended, .. }) = waiting.remove(&taken) {
                taken += 1;
                let start = starts.pop_front().expect("one start per chunk");
                if let Some(rest) = &mut rest {
                    rest.extend_from_slice(&buf);
                    continue;
                }
                let Some(chunk) = chunk.filter(|_| appended) else {
                    // The exact path takes over from this chunk: gather its bytes and all after.
                    debug_assert_eq!(start, place.offset);
                    rest = Some(buf);
                    continue;
                };
                let line_start = |p: Option<usize>| p.map_or(place.line_start, |p| start + p as u64);
                if let Some(e) = chunk.last_end {
                    let at = Place {
                        offset: start,
                        line: place.line + chunk.end_newlines as u32,
                        line_start: line_start(chunk.end_line_start),
                    };
                    end_at = Some(at.locate(start + e as u64));
                }
                place = Place {
                    offset: start + buf.len() as u64,
                    line: place.line + chunk.newlines as u32,
                    line_start: line_start(chunk.line_start),
                };
                spare.push(buf);
            }
        }
    })?;
    match handover {
        None => Ok(Some(end_at.unwrap_or_else(|| place.locate(place.offset)))),
        Some(rest) => {
            sc.restart(rest, (place.offset, place.line, place.line_start), eof, end_at);
            Ok(None)
        }
    }
}
