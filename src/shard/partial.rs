//! The partial result of one shard, and its file format.
//!
//! A partial holds what the statistics stage needs from the selection: per input, the
//! cutflow (with exact weighted sums, see [`ExactSum`]), the histograms and the selected
//! candidates per channel (observable, weight, truth columns), plus the run's provenance
//! (spec and its hashes, the input records with the SHA-256 of the files this shard was
//! assigned to hash, the searchlight build) and the fingerprint of the [`Layout`] the
//! shards divided.
//!
//! File format (version [`FORMAT_VERSION`]), little-endian:
//! `SEARCHLIGHT-PARTIAL\n`, u32 version, u64 length + JSON header, the binary body (per
//! input: cutflow and candidate columns as raw `f64` bits, so NaN and every last bit
//! survive), and a SHA-256 of everything before it. Written by hand rather than with a
//! serialisation crate: the body is a few flat arrays and the checksum must cover it all.
//!
//! [`Layout`]: super::Layout

use super::Shard;
use crate::analysis::collect::{Candidates, ChannelCandidates};
use crate::exec::cutflow::{ChannelFlow, Cutflow, Row};
use crate::exec::exact_sum::ExactSum;
use crate::exec::histogram::Histogram;
use crate::report::results::Provenance;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Leading bytes of every partial file.
pub const MAGIC: &[u8] = b"SEARCHLIGHT-PARTIAL\n";
/// Version of the file format; partials of another version are refused.
pub const FORMAT_VERSION: u32 = 2;

/// The file a shard's partial result is written to, in the run's output directory.
pub fn file_name(shard: Shard) -> String {
    format!("shard-{}-of-{}.partial", shard.index, shard.count)
}

/// The JSON header of a partial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Shard number, from 1.
    pub shard: usize,
    /// Number of shards of the run.
    pub shards: usize,
    /// Fingerprint of the chunk layout of all inputs.
    pub layout_sha256: String,
    /// The run's provenance; a file input's `sha256` is null for files another shard
    /// hashed.
    pub provenance: Provenance,
}

impl Header {
    /// The shard this partial is.
    pub fn shard(&self) -> Shard {
        Shard {
            index: self.shard,
            count: self.shards,
        }
    }
}

/// One input's share of the selection.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct InputPart {
    /// Input name.
    pub name: String,
    /// Cutflow and histograms of the events this shard owns.
    pub cutflow: Cutflow,
    /// Their selected candidates, in input order.
    pub candidates: Candidates,
}

/// A shard's partial result.
#[derive(Clone, Debug, PartialEq)]
pub struct Partial {
    /// Provenance and shard identity.
    pub header: Header,
    /// Inputs in spec order.
    pub inputs: Vec<InputPart>,
}

impl Partial {
    /// The partial as file bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Writer(MAGIC.to_vec());
        out.0.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let header = serde_json::to_vec(&self.header).expect("the header serialises");
        out.bytes(&header);
        out.u64(self.inputs.len() as u64);
        for input in &self.inputs {
            out.str(&input.name);
            out.cutflow(&input.cutflow);
            out.u64(input.candidates.channels.len() as u64);
            for c in &input.candidates.channels {
                for column in [&c.x, &c.weight, &c.mass, &c.ctau, &c.mode] {
                    out.f64s(column);
                }
                out.u64(c.variations.len() as u64);
                for column in &c.variations {
                    out.f64s(column);
                }
            }
        }
        let digest = Sha256::digest(&out.0);
        out.0.extend_from_slice(&digest);
        out.0
    }

    /// Reads a partial from file bytes; the reason when they are not one (wrong magic or
    /// version, checksum mismatch, truncation, malformed contents).
    pub fn from_bytes(bytes: &[u8]) -> Result<Partial, super::PartialError> {
        Partial::read(bytes).map_err(super::PartialError)
    }

    fn read(bytes: &[u8]) -> Result<Partial, String> {
        if !bytes.starts_with(MAGIC) {
            return Err(
                "not a searchlight partial result (no SEARCHLIGHT-PARTIAL signature)".into(),
            );
        }
        if bytes.len() < MAGIC.len() + 4 + 32 {
            return Err("truncated".into());
        }
        let (content, digest) = bytes.split_at(bytes.len() - 32);
        let mut r = Reader {
            buf: content,
            pos: MAGIC.len(),
        };
        let version = u32::from_le_bytes(r.take(4)?.try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(format!(
                "partial format version {version}; this searchlight reads version {FORMAT_VERSION}"
            ));
        }
        if Sha256::digest(content).as_slice() != digest {
            return Err("checksum mismatch: the file is corrupt or truncated".into());
        }
        let header: Header =
            serde_json::from_slice(r.bytes()?).map_err(|e| format!("header: {e}"))?;
        let inputs = (0..r.count(1)?)
            .map(|_| {
                let name = r.str()?;
                let cutflow = r.cutflow()?;
                let channels = (0..r.count(5 * 8)?)
                    .map(|_| {
                        Ok(ChannelCandidates {
                            x: r.f64s()?,
                            weight: r.f64s()?,
                            mass: r.f64s()?,
                            ctau: r.f64s()?,
                            mode: r.f64s()?,
                            variations: (0..r.count(8)?)
                                .map(|_| r.f64s())
                                .collect::<Result<_, String>>()?,
                        })
                    })
                    .collect::<Result<_, String>>()?;
                Ok(InputPart {
                    name,
                    cutflow,
                    candidates: Candidates { channels },
                })
            })
            .collect::<Result<_, String>>()?;
        if r.pos != content.len() {
            return Err(format!(
                "{} unexpected bytes after the contents",
                content.len() - r.pos
            ));
        }
        Ok(Partial { header, inputs })
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn f64s(&mut self, v: &[f64]) {
        self.u64(v.len() as u64);
        v.iter().for_each(|&x| self.f64(x));
    }
    fn sum(&mut self, s: &ExactSum) {
        let (partials, special) = s.parts();
        self.f64s(partials);
        self.f64s(special.as_slice());
    }
    fn cutflow(&mut self, c: &Cutflow) {
        self.u64(c.channels.len() as u64);
        for flow in &c.channels {
            self.str(&flow.name);
            self.u64(flow.rows.len() as u64);
            for row in &flow.rows {
                self.str(&row.step);
                self.u64(row.events);
                self.sum(&row.weighted);
                self.u64(row.candidates);
                self.u64(row.undefined);
            }
            self.u64(flow.histograms.len() as u64);
            for h in &flow.histograms {
                self.str(&h.name);
                self.str(&h.var);
                self.f64(h.range[0]);
                self.f64(h.range[1]);
                self.u64(h.counts.len() as u64);
                h.counts.iter().for_each(|&c| self.u64(c));
                h.weighted.iter().for_each(|s| self.sum(s));
                h.sumw2.iter().for_each(|s| self.sum(s));
                self.u64(h.underflow);
                self.u64(h.overflow);
                self.u64(h.undefined);
            }
        }
    }
}

/// Bounds-checked reading: every length is checked against the bytes left before
/// anything is allocated, so a damaged file gives an error, never a panic or a huge
/// allocation.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| format!("truncated at byte {}", self.pos))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn f64(&mut self) -> Result<f64, String> {
        self.u64().map(f64::from_bits)
    }
    /// A count of items of at least `item_bytes` bytes each, checked against what is left.
    fn count(&mut self, item_bytes: usize) -> Result<usize, String> {
        let at = self.pos;
        let n = self.u64()?;
        let left = (self.buf.len() - self.pos) as u64;
        if n.saturating_mul(item_bytes as u64) > left {
            return Err(format!("count {n} at byte {at} exceeds the file"));
        }
        Ok(n as usize)
    }
    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.count(1)?;
        self.take(n)
    }
    fn str(&mut self) -> Result<String, String> {
        let at = self.pos;
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| format!("bad text at byte {at}"))
    }
    fn f64s(&mut self) -> Result<Vec<f64>, String> {
        (0..self.count(8)?).map(|_| self.f64()).collect()
    }
    fn sum(&mut self) -> Result<ExactSum, String> {
        let at = self.pos;
        let partials = self.f64s()?;
        let special = self.f64s()?;
        if special.len() > 1 || partials.iter().any(|p| !p.is_finite()) {
            return Err(format!("bad sum at byte {at}"));
        }
        Ok(ExactSum::from_parts(&partials, special.first().copied()))
    }
    fn cutflow(&mut self) -> Result<Cutflow, String> {
        let channels = (0..self.count(16)?)
            .map(|_| {
                let name = self.str()?;
                let rows = (0..self.count(48)?)
                    .map(|_| {
                        Ok(Row {
                            step: self.str()?,
                            events: self.u64()?,
                            weighted: self.sum()?,
                            candidates: self.u64()?,
                            undefined: self.u64()?,
                        })
                    })
                    .collect::<Result<_, String>>()?;
                let histograms = (0..self.count(64)?)
                    .map(|_| self.histogram())
                    .collect::<Result<_, String>>()?;
                Ok(ChannelFlow {
                    name,
                    rows,
                    histograms,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Cutflow { channels })
    }
    fn histogram(&mut self) -> Result<Histogram, String> {
        let (name, var) = (self.str()?, self.str()?);
        let (low, high) = (self.f64()?, self.f64()?);
        let bins = self.count(24)?;
        if bins == 0 {
            return Err(format!("histogram `{name}` without bins"));
        }
        let mut h = Histogram::new(&name, &var, bins, low, high);
        for c in h.counts.iter_mut() {
            *c = self.u64()?;
        }
        for s in h.weighted.iter_mut().chain(h.sumw2.iter_mut()) {
            *s = self.sum()?;
        }
        h.underflow = self.u64()?;
        h.overflow = self.u64()?;
        h.undefined = self.u64()?;
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Partial {
        let mut weighted = ExactSum::new();
        [0.1, 1e-20, 3.0].iter().for_each(|&w| weighted.add(w));
        let mut h = Histogram::new("m", "M", 3, 0.0, 1.0);
        h.fill(0.5, 0.25);
        h.fill(f64::NAN, 1.0);
        Partial {
            header: Header {
                shard: 2,
                shards: 3,
                layout_sha256: "ab".into(),
                provenance: Provenance {
                    spec: "a.yaml".into(),
                    spec_sha256: "1".into(),
                    canonical_sha256: "2".into(),
                    analysis_repository: serde_json::Value::Null,
                    unblinded: false,
                    searchlight_version: "0".into(),
                    searchlight_commit: "c".into(),
                    platform: "p".into(),
                    inputs: Default::default(),
                    mva: Default::default(),
                    corrections: Default::default(),
                    tables: Default::default(),
                },
            },
            inputs: vec![InputPart {
                name: "data".into(),
                cutflow: Cutflow {
                    channels: vec![ChannelFlow {
                        name: "all".into(),
                        rows: vec![Row {
                            step: "input".into(),
                            events: 3,
                            weighted,
                            candidates: 4,
                            undefined: 1,
                        }],
                        histograms: vec![h],
                    }],
                },
                candidates: Candidates {
                    channels: vec![ChannelCandidates {
                        x: vec![1.5, f64::NAN, -0.0],
                        weight: vec![1.0; 3],
                        ..Default::default()
                    }],
                },
            }],
        }
    }

    #[test]
    fn a_partial_survives_the_round_trip_bit_for_bit() {
        let p = sample();
        let bytes = p.to_bytes();
        let back = Partial::from_bytes(&bytes).unwrap();
        assert_eq!(back.header, p.header);
        assert_eq!(back.inputs[0].cutflow, p.inputs[0].cutflow);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&back.inputs[0].candidates.channels[0].x),
            bits(&p.inputs[0].candidates.channels[0].x)
        );
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_refused() {
        let bytes = sample().to_bytes();
        for n in 0..bytes.len() {
            assert!(
                Partial::from_bytes(&bytes[..n]).is_err(),
                "truncated to {n}"
            );
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(Partial::from_bytes(&b).is_err(), "byte {i} flipped");
        }
    }
}
