//! The rows a shard reads from one file: the events that *start* in its chunks, each
//! whole. Rows at the start of the first chunk that continue an event begun in the
//! previous chunk belong to the previous shard; rows at the start of the chunks after the
//! range that continue this shard's last event are read too. Events are runs of rows with
//! the same (`__experiment__`, `__run__`, `__event__`), as everywhere in the evaluator;
//! without those columns every row is its own event and the slice is exactly the chunks.

use crate::io::IoError;
use crate::io::source::EVENT_KEY;
use crate::io::source::NtupleReader;
use crate::io::table::ColumnTable;
use std::ops::Range;

/// An event's identity.
type EventKey = (f64, f64, f64);

fn key(table: &ColumnTable, i: usize) -> Option<EventKey> {
    let [e, r, v] = EVENT_KEY.map(|name| table.column(name).map(|c| c.get_f64(i)));
    Some((e?, r?, v?))
}

/// Number of leading rows of `table` that belong to the event `k`.
fn leading(table: &ColumnTable, k: EventKey) -> usize {
    (0..table.rows())
        .take_while(|&i| key(table, i) == Some(k))
        .count()
}

fn last_key(table: &ColumnTable) -> Option<EventKey> {
    table.rows().checked_sub(1).and_then(|i| key(table, i))
}

/// Chunks of a reader decoded ahead, as many at once as the thread pool has threads, so
/// that decoding (most of a run's time from a compressed file) uses every core. The
/// evaluator then runs on them in parallel too; memory grows by one decoded chunk per
/// thread. Chunks from `limit` on are decoded one at a time, only when asked for.
struct Prefetch<'r> {
    reader: &'r NtupleReader,
    limit: usize,
    /// The chunk number of `decoded[0]`.
    first: usize,
    decoded: std::collections::VecDeque<Result<ColumnTable, IoError>>,
}

impl<'r> Prefetch<'r> {
    fn new(reader: &'r NtupleReader, limit: usize) -> Self {
        Prefetch {
            reader,
            limit,
            first: 0,
            decoded: Default::default(),
        }
    }

    /// Chunk `i`, decoding it and the next ones (up to one per thread) in parallel when
    /// it is not decoded yet.
    fn read(&mut self, i: usize) -> Result<ColumnTable, IoError> {
        use rayon::prelude::*;
        if (self.first..self.first + self.decoded.len()).contains(&i) {
            self.decoded.drain(..i - self.first);
        } else {
            let end = (i + rayon::current_num_threads())
                .min(self.limit)
                .max(i + 1);
            let batch: Vec<_> = (i..end)
                .into_par_iter()
                .map(|c| self.reader.read_chunk(c))
                .collect();
            self.decoded = batch.into();
        }
        self.first = i + 1;
        self.decoded.pop_front().expect("chunk i is decoded")
    }
}

/// The tables of the events that start in `chunks` of `reader`, in order.
pub fn owned_events(
    reader: &NtupleReader,
    chunks: Range<usize>,
) -> impl Iterator<Item = Result<ColumnTable, IoError>> + '_ {
    let all = reader.chunks();
    let mut prefetch = Prefetch::new(reader, chunks.end);
    let mut next = chunks.start;
    let end = chunks.end;
    // Event continuing from before the range (found on the first call).
    let mut before: Option<EventKey> = None;
    let mut looked_back = chunks.is_empty() || chunks.start == 0;
    // This shard's last event, which may continue after the range.
    let mut last: Option<EventKey> = None;
    let mut done = chunks.is_empty();
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        // A read error ends the iteration after reporting it.
        macro_rules! read {
            ($chunk:expr) => {
                match prefetch.read($chunk) {
                    Ok(t) => t,
                    Err(e) => {
                        done = true;
                        return Some(Err(e));
                    }
                }
            };
        }
        if !looked_back {
            looked_back = true;
            before = last_key(&read!(next - 1));
        }
        while next < end {
            let mut table = read!(next);
            next += 1;
            if let Some(k) = before {
                let n = leading(&table, k);
                if n == table.rows() {
                    continue; // the whole chunk continues an earlier shard's event
                }
                table = table.split_off(n);
                before = None;
            }
            last = last_key(&table).or(last);
            return Some(Ok(table));
        }
        // After the range: the rest of the last event, possibly over several chunks.
        if let Some(k) = last.take()
            && next < all
        {
            let mut table = read!(next);
            next += 1;
            let n = leading(&table, k);
            if n == table.rows() {
                last = Some(k);
            } else {
                table.split_off(n);
                done = true;
            }
            return Some(Ok(table));
        }
        done = true;
        None
    })
}
