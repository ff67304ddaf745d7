//! The native correction evaluator against correctionlib 2.9.0 (tests/reference/gen/
//! correctionlib_points.py): 10^5 points per node type, identical to the bit; and the
//! refusals of bad correction files and tables.

use searchlight::corrections::{self, Correction, InputKind, Problem};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

fn reference() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/corrections"
    ))
}

/// The splitmix64 stream of the generator script.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
}

/// The script's `draw`: n values of one input.
fn draw(spec: &Value, n: usize) -> Vec<f64> {
    let mut stream = SplitMix(spec["seed"].as_u64().unwrap());
    let edges: Vec<f64> = spec["edges"]
        .as_array()
        .map(|e| e.iter().map(|x| x.as_f64().unwrap()).collect())
        .unwrap_or_default();
    (0..n)
        .map(|_| {
            let r = stream.next();
            if let Some(ints) = spec["ints"].as_array() {
                let (a, b) = (ints[0].as_i64().unwrap(), ints[1].as_i64().unwrap());
                return (a + (r % (b - a + 1) as u64) as i64) as f64;
            }
            if !edges.is_empty() && r.is_multiple_of(8) {
                return edges[((r >> 3) % edges.len() as u64) as usize];
            }
            let u = (stream.next() >> 11) as f64 * 2f64.powi(-53);
            let (low, high) = (
                spec["low"].as_f64().unwrap(),
                spec["high"].as_f64().unwrap(),
            );
            low + (high - low) * u
        })
        .collect()
}

fn load() -> Vec<Correction> {
    corrections::load(&reference().join("corrections.json")).unwrap()
}

#[test]
fn every_node_type_agrees_with_correctionlib_to_the_bit() {
    let set = load();
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(reference().join("cases.json")).unwrap())
            .unwrap();
    let cases = cases["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for case in cases {
        let name = case["correction"].as_str().unwrap();
        let mut c = set.iter().find(|c| c.name == name).unwrap().clone();
        let n = case["points"].as_u64().unwrap() as usize;
        assert_eq!(n, 100_000);
        let specs = case["inputs"].as_array().unwrap();
        let columns: Vec<Option<Vec<f64>>> = specs
            .iter()
            .map(|s| (!s.is_null()).then(|| draw(s, n)))
            .collect();
        if let Some(key) = case["key"].as_str() {
            let i = c
                .inputs
                .iter()
                .position(|i| i.kind == InputKind::Str)
                .unwrap();
            c = c.fix(i, key).unwrap();
        }
        let mut bytes = Vec::with_capacity(8 * n);
        let mut first = Vec::new();
        let mut x = vec![0.0; columns.len()];
        for row in 0..n {
            for (v, column) in x.iter_mut().zip(&columns) {
                *v = column.as_ref().map_or(0.0, |c| c[row]);
            }
            let value = c
                .evaluate(&x)
                .unwrap_or_else(|e| panic!("{name}: {}", c.describe(&e)));
            bytes.extend_from_slice(&value.to_le_bytes());
            if row < 8 {
                first.push(format!("{:016x}", value.to_bits()));
            }
        }
        let expected: Vec<&str> = case["first_bits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(first, expected, "{name}: first outputs");
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            digest,
            case["sha256"].as_str().unwrap(),
            "{name}: outputs differ"
        );
    }
}

#[test]
fn out_of_range_missing_keys_and_nan_inputs() {
    let set = load();
    let find = |name: &str| set.iter().find(|c| c.name == name).unwrap();
    let error = find("binning_error");
    for x in [-60.0, -10.000000000000002] {
        let e = error.evaluate(&[x]).unwrap_err();
        assert_eq!(e.problem, Problem::OutOfRange);
        assert!(error.describe(&e).contains("lies outside its bins"));
    }
    assert!(error.evaluate(&[f64::NAN]).unwrap().is_nan());
    let int = find("category_int");
    assert_eq!(int.evaluate(&[7.0, 0.5]).unwrap(), 1.0, "the default");
    assert_eq!(
        int.evaluate(&[0.5, 0.5]).unwrap_err().problem,
        Problem::NotInteger
    );
    let strings = find("category_string");
    let e = strings.fix(1, "sideways").unwrap_err();
    assert!(e.contains("down, nominal, up"), "{e}");
}

#[test]
fn belle2_tables_give_their_variations() {
    let table = "p_min,p_max,cosTheta_min,cosTheta_max,value,stat_up,stat_down,sys_up,sys_down\n\
                 0.5,1.5,-1,0,0.97,0.01,0.02,0.03,0.04\n\
                 0.5,1.5,0,1,0.99,0.01,0.01,0.01,0.01\n\
                 1.5,4,-1,0,1.01,0.02,0.02,0.02,0.02\n\
                 1.5,4,0,1,1.03,0.03,0.03,0.04,0.04\n";
    let c = corrections::parse_table("pid", table.as_bytes()).unwrap();
    assert_eq!(c.inputs.len(), 3);
    let at = |variation: &str, p: f64, cos: f64| {
        c.fix(2, variation)
            .unwrap()
            .evaluate(&[p, cos, 0.0])
            .unwrap()
    };
    assert_eq!(at("nominal", 1.0, -0.5), 0.97);
    assert_eq!(at("stat_down", 1.0, -0.5), 0.97 - 0.02);
    assert_eq!(at("sys_up", 2.0, 0.5), 1.03 + 0.04);
    assert_eq!(at("up", 1.0, -0.5), 0.97 + 0.01f64.hypot(0.03));
    assert_eq!(at("down", 1.0, 0.0), 0.99 - 0.01f64.hypot(0.01));
    let e = c
        .fix(2, "nominal")
        .unwrap()
        .evaluate(&[4.0, 0.0, 0.0])
        .unwrap_err();
    assert_eq!(e.problem, Problem::OutOfRange);
}

/// Every file of tests/corpus/corrections/ is refused with a message naming its fault.
#[test]
fn bad_correction_files_are_refused_with_the_reason() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/corrections"
    ));
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "expected") {
            continue;
        }
        let expected = std::fs::read_to_string(path.with_extension(format!(
            "{}.expected",
            path.extension().unwrap().to_string_lossy()
        )))
        .unwrap_or_else(|_| panic!("{} has no .expected", path.display()));
        let error = corrections::load(&path).unwrap_err().to_string();
        assert!(
            error.contains(expected.trim()),
            "{}: `{error}` lacks `{}`",
            path.display(),
            expected.trim()
        );
        seen += 1;
    }
    assert!(seen >= 10, "{seen} files");
}
