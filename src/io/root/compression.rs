//! ROOT's compressed records: a sequence of blocks, each a 9-byte header (two-letter
//! algorithm, method byte, 3-byte compressed and 3-byte uncompressed sizes, little-endian)
//! followed by the compressed bytes.
//!
//! Decompression is the hot path of reading a TTree, so each algorithm goes straight to
//! a maintained codec writing into the final buffer: zlib through `libdeflater`
//! (libdeflate, which inflates whole buffers — exactly what a basket is — about twice as
//! fast as the streaming zlib-rs and miniz_oxide on ntuple data; `benches/root_read.rs`
//! compares the three), LZ4 blocks through
//! `lz4_flex`, zstd through `zstd` (libzstd, already linked for Parquet) and XZ through
//! the pure-Rust `lzma-rust2`. Every failure is an error; no codec input can panic here.

use std::io::Read;

/// The blocks of a compressed record: (header offset, compressed size, uncompressed size).
/// Their uncompressed sizes must add up to `out_len`, which is checked before anything is
/// allocated, so a corrupt size field cannot make the reader reserve gigabytes.
fn blocks(src: &[u8], out_len: usize) -> Result<Vec<(usize, usize, usize)>, String> {
    let mut out = Vec::new();
    let (mut read, mut total) = (0usize, 0usize);
    while total < out_len {
        let header = src.get(read..read + 9).ok_or_else(|| {
            format!("compressed record truncated: block header missing at byte {read}")
        })?;
        let size = |b: &[u8]| usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16;
        let (packed, unpacked) = (size(&header[3..6]), size(&header[6..9]));
        if read + 9 + packed > src.len() {
            return Err(format!(
                "compressed record truncated: block of {packed} bytes at byte {read}"
            ));
        }
        out.push((read, packed, unpacked));
        read += 9 + packed;
        total += unpacked;
    }
    if total != out_len {
        return Err(format!(
            "compressed blocks hold {total} bytes, the record {out_len}"
        ));
    }
    Ok(out)
}

/// Decompresses a record of `out_len` bytes from `src`.
pub fn decompress(src: &[u8], out_len: usize) -> Result<Vec<u8>, String> {
    let blocks = blocks(src, out_len)?;
    // Reserve up front only for plausible compression ratios; otherwise grow block by
    // block, so memory follows what actually decompresses.
    let mut out = Vec::with_capacity(out_len.min(src.len().saturating_mul(64)));
    let mut written = 0usize;
    for (read, packed, unpacked) in blocks {
        let header = &src[read..read + 9];
        let block = &src[read + 9..read + 9 + packed];
        out.resize(written + unpacked, 0);
        let dst = &mut out[written..written + unpacked];
        let produced = match &header[..2] {
            b"ZL" => inflate(block, dst)?,
            b"L4" => {
                // Eight bytes of XXH64 (seed 0, big-endian) of the LZ4 block precede it;
                // a bad block could otherwise decompress into plausible wrong numbers.
                let (checksum, body) = block
                    .split_at_checked(8)
                    .ok_or("LZ4 block shorter than its checksum")?;
                if twox_hash::XxHash64::oneshot(0, body).to_be_bytes() != checksum {
                    return Err("LZ4 block checksum mismatch (corrupt basket)".into());
                }
                lz4_flex::block::decompress_into(body, dst).map_err(|e| format!("LZ4: {e}"))?
            }
            b"ZS" => {
                zstd::bulk::decompress_to_buffer(block, dst).map_err(|e| format!("zstd: {e}"))?
            }
            b"XZ" => {
                let mut reader = lzma_rust2::XzReader::new(block, false);
                reader.read_exact(dst).map_err(|e| format!("XZ: {e}"))?;
                dst.len()
            }
            b"CS" => {
                return Err("the pre-2003 ROOT compression algorithm (CS) is not supported".into());
            }
            other => {
                return Err(format!(
                    "unknown compression algorithm `{}`",
                    String::from_utf8_lossy(other)
                ));
            }
        };
        if produced != unpacked {
            return Err(format!(
                "a compressed block gave {produced} bytes instead of {unpacked}"
            ));
        }
        written += unpacked;
    }
    Ok(out)
}

/// zlib (RFC 1950) into `dst`; returns the number of bytes written.
fn inflate(block: &[u8], dst: &mut [u8]) -> Result<usize, String> {
    thread_local! {
        static INFLATER: std::cell::RefCell<libdeflater::Decompressor> =
            std::cell::RefCell::new(libdeflater::Decompressor::new());
    }
    INFLATER
        .with(|d| d.borrow_mut().zlib_decompress(block, dst))
        .map_err(|e| format!("zlib: {e}"))
}

#[cfg(test)]
mod tests {
    use super::decompress;

    fn block(algo: &[u8; 2], packed: &[u8], unpacked: usize) -> Vec<u8> {
        let n = packed.len();
        let mut out = algo.to_vec();
        out.push(1);
        out.extend([n as u8, (n >> 8) as u8, (n >> 16) as u8]);
        out.extend([
            unpacked as u8,
            (unpacked >> 8) as u8,
            (unpacked >> 16) as u8,
        ]);
        out.extend(packed);
        out
    }

    #[test]
    fn zstd_and_lz4_blocks_round_trip_and_corruption_is_an_error() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        let zs = zstd::bulk::compress(&data, 3).unwrap();
        let mut two = block(b"ZS", &zs, data.len());
        let body = lz4_flex::block::compress(&data);
        let mut lz = twox_hash::XxHash64::oneshot(0, &body)
            .to_be_bytes()
            .to_vec();
        lz.extend(body);
        two.extend(block(b"L4", &lz, data.len()));
        let out = decompress(&two, 2 * data.len()).unwrap();
        assert_eq!(&out[..data.len()], &data[..]);
        assert_eq!(&out[data.len()..], &data[..]);
        assert!(decompress(&two[..two.len() - 3], 2 * data.len()).is_err());
        let mut bad = two.clone();
        bad[20] ^= 0xff;
        assert!(decompress(&bad, 2 * data.len()).is_err());
        assert!(decompress(&block(b"QQ", &zs, data.len()), data.len()).is_err());
    }
}
