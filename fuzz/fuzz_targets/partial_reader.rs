//! Any contents of a shard's partial-result file must read as a partial or be refused
//! with a message, never panic or allocate without bound; a partial that reads must write
//! back to bytes that read again to the same partial. The fuzzed bytes are sealed with a
//! valid signature, version and checksum first: the checksum would otherwise stop almost
//! every mutation before the parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use searchlight::shard::partial::{FORMAT_VERSION, MAGIC, Partial};
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(data);
    let digest = Sha256::digest(&bytes);
    bytes.extend_from_slice(&digest);
    if let Ok(partial) = Partial::from_bytes(&bytes) {
        let again = Partial::from_bytes(&partial.to_bytes()).expect("a written partial reads");
        assert_eq!(again.header, partial.header);
        assert_eq!(again.inputs.len(), partial.inputs.len());
    }
});
