//! The toy Monte Carlo: physics sanity, injected signal, determinism, Parquet round trip.

use searchlight::io::parquet::{ParquetReader, ParquetWriter};
use searchlight::io::table::ColumnTable;
use searchlight::physics::{constant, two_body_momentum};
use searchlight::toy::{Params, generate_table};

fn col(t: &ColumnTable, name: &str) -> Vec<f64> {
    let c = t.column(name).unwrap_or_else(|| panic!("no column {name}"));
    (0..c.len()).map(|i| c.get_f64(i)).collect()
}

/// Values of `name` on rows where `keep` holds.
fn select(t: &ColumnTable, name: &str, keep: impl Fn(usize) -> bool) -> Vec<f64> {
    col(t, name)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, v)| v)
        .collect()
}

fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() - 1) as f64 * q) as usize]
}

/// Centre of the most populated 5 MeV bin (the peak of a distribution with a tail).
fn mode(v: &[f64]) -> f64 {
    let mut bins = std::collections::BTreeMap::new();
    for x in v {
        *bins.entry((x / 0.005).floor() as i64).or_insert(0usize) += 1;
    }
    let (bin, _) = bins.into_iter().max_by_key(|(_, n)| *n).unwrap();
    (bin as f64 + 0.5) * 0.005
}

/// Median and half the 16–84% range (the σ of a Gaussian core).
fn core(v: &[f64]) -> (f64, f64) {
    (
        quantile(v, 0.5),
        (quantile(v, 0.84) - quantile(v, 0.16)) / 2.0,
    )
}

fn params(list: &[(&str, &[f64])]) -> Params {
    Params(
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_vec()))
            .collect(),
    )
}

#[test]
fn b_to_k_alp_signal_peaks_where_physics_says() {
    let t = generate_table(
        "b_to_k_alp_signal",
        40_000,
        5,
        &params(&[("masses", &[1.0])]),
    )
    .unwrap();
    let signal = col(&t, "isSignal");
    let is_sig = |i: usize| signal[i] == 1.0;
    let (mbc, mbc_sigma) = core(&select(&t, "Mbc", is_sig));
    let de_values = select(&t, "deltaE", is_sig);
    let (de, de_sigma) = core(&de_values);
    let de_peak = mode(&de_values);
    let (mgg, mgg_sigma) = core(&select(&t, "daughter__bo1__cm__spM__bc", is_sig));
    eprintln!(
        "Mbc {mbc:.5} ± {mbc_sigma:.5}, ΔE {de:.4} (peak {de_peak:.4}) ± {de_sigma:.4}, mγγ {mgg:.4} ± {mgg_sigma:.4}"
    );
    // Mbc at the B mass with the beam-energy-spread resolution of 2.5–3 MeV.
    assert!((mbc - 5.2795).abs() < 0.001, "Mbc peak {mbc}");
    assert!((0.0022..0.0035).contains(&mbc_sigma), "Mbc σ {mbc_sigma}");
    // ΔE peaks at 0; the calorimeter's leakage tail pulls the median a little low.
    // 30–50 MeV wide with hard photons.
    assert!(de_peak.abs() < 0.006, "ΔE peak {de_peak}");
    assert!((-0.02..0.0).contains(&de), "ΔE median {de}");
    assert!((0.015..0.06).contains(&de_sigma), "ΔE σ {de_sigma}");
    // mγγ at the ALP mass with σ ≈ 0.018 m^0.7 = 18 MeV at 1 GeV (toy model, within 50%).
    assert!((mgg - 1.0).abs() < 0.01, "mγγ peak {mgg}");
    assert!((0.009..0.027).contains(&mgg_sigma), "mγγ σ {mgg_sigma}");
    // Several kaon channels are present.
    let modes = col(&t, "decayMode");
    for m in 0..4 {
        assert!(
            modes.iter().filter(|&&x| x == f64::from(m)).count() > 1000,
            "decayMode {m}"
        );
    }
}

#[test]
fn pi0_resolution_is_about_5_mev() {
    // Peaking B → K π⁰ in the data-like mixture.
    let t = generate_table("b_to_k_alp", 200_000, 9, &Params::default()).unwrap();
    let mbc = col(&t, "Mbc");
    let mgg = col(&t, "daughter__bo1__cm__spM__bc");
    let pi0: Vec<f64> = (0..t.rows())
        .filter(|&i| mbc[i] > 5.275 && (0.09..0.18).contains(&mgg[i]))
        .map(|i| mgg[i])
        .collect();
    let (peak, sigma) = core(&pi0);
    eprintln!(
        "π⁰ peak {peak:.4} σ {sigma:.4} from {} candidates",
        pi0.len()
    );
    assert!((peak - constant("m_pi0").unwrap()).abs() < 0.003);
    assert!((0.003..0.009).contains(&sigma), "π⁰ σ {sigma}");
}

#[test]
fn hadron_momentum_in_the_signal_b_frame_is_the_two_body_momentum() {
    let t = generate_table(
        "b_to_h_invisible_signal",
        50_000,
        3,
        &params(&[("masses", &[0.0, 2.0])]),
    )
    .unwrap();
    let (mode, truth, good) = (col(&t, "decayMode"), col(&t, "mcM_X"), col(&t, "isSignal"));
    let p = col(
        &t,
        "useTagSideRecoilRestFrame__bodaughter__bo1__cm__spp__bc__cm__sp0__bc",
    );
    for (m_x, expected) in [
        (0.0, 2.617),
        (
            2.0,
            two_body_momentum(constant("m_Bp").unwrap(), constant("m_Kp").unwrap(), 2.0),
        ),
    ] {
        let values: Vec<f64> = (0..t.rows())
            .filter(|&i| mode[i] == 1.0 && truth[i] == m_x && good[i] == 1.0)
            .map(|i| p[i])
            .collect();
        let (median, sigma) = core(&values);
        eprintln!("K channel, m_X = {m_x}: p_h {median:.4} ± {sigma:.4} (expected {expected:.4})");
        assert!((median - expected).abs() < 0.005, "{median} vs {expected}");
        assert!(sigma < 0.05);
    }
    // No hadron beyond the kinematic endpoint: p_h of the K channel never exceeds the m_X = 0 value by much.
    let max = (0..t.rows())
        .filter(|&i| mode[i] == 1.0 && good[i] == 1.0)
        .map(|i| p[i])
        .fold(0.0, f64::max);
    assert!(max < 2.617 + 0.1, "{max}");
}

#[test]
fn dark_higgs_background_has_the_long_lived_resonances() {
    let t = generate_table("idm_dark_higgs", 60_000, 4, &Params::default()).unwrap();
    let m_pipi = col(&t, "M_pionHypothesis");
    let near_ks =
        m_pipi.iter().filter(|m| (0.48..0.515).contains(*m)).count() as f64 / t.rows() as f64;
    let m_ppi = col(&t, "M_protonPionHypothesis");
    let near_lambda =
        m_ppi.iter().filter(|m| (1.110..1.121).contains(*m)).count() as f64 / t.rows() as f64;
    eprintln!("K_S window {near_ks:.3}, Λ window {near_lambda:.3}");
    assert!((0.25..0.4).contains(&near_ks));
    assert!((0.08..0.2).contains(&near_lambda));
    // Signal: the h′ vertex mass peaks at the generated mass.
    let s = generate_table(
        "idm_dark_higgs_signal",
        20_000,
        4,
        &params(&[("masses", &[1.5]), ("ctau", &[5.0])]),
    )
    .unwrap();
    let (m, sigma) = core(&col(&s, "M"));
    eprintln!("h′ mass {m:.4} ± {sigma:.4}");
    assert!((m - 1.5).abs() < 0.005 && sigma < 0.02);
}

#[test]
fn injected_signal_is_found_in_the_data_like_sample() {
    let t = generate_table(
        "b_to_k_alp",
        100_000,
        2,
        &params(&[("inject_mass", &[1.2]), ("inject_yield", &[300.0])]),
    )
    .unwrap();
    let truth = col(&t, "mcM_a");
    let events = col(&t, "__event__");
    let mut injected: Vec<f64> = (0..t.rows())
        .filter(|&i| truth[i] == 1.2)
        .map(|i| events[i])
        .collect();
    injected.dedup();
    // Every injected event is generated; those with both photons in the calorimeter are
    // reconstructed (about 80–95%).
    eprintln!("{} of 300 injected events reconstructed", injected.len());
    assert!((240..=300).contains(&injected.len()));
}

#[test]
fn same_seed_same_bytes_for_any_thread_count() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| generate_table("b_to_k_alp", 50_000, 77, &Params::default()).unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(3));
    let dir = std::env::temp_dir().join(format!("searchlight-toy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, t: &ColumnTable| {
        let path = dir.join(name);
        let mut w = ParquetWriter::create(&path, t).unwrap();
        w.write(t).unwrap();
        w.finish().unwrap();
        std::fs::read(path).unwrap()
    };
    assert_eq!(write("a.parquet", &one), write("b.parquet", &run(2)));
    // And the Parquet file reads back exactly, with projection.
    let reader = ParquetReader::open(
        &dir.join("a.parquet"),
        Some(&["Mbc", "__event__", "decayMode"]),
    )
    .unwrap();
    let back = reader.read_all().unwrap();
    assert_eq!(back.column("Mbc"), one.column("Mbc"));
    assert_eq!(back.column("__event__"), one.column("__event__"));
    assert_eq!(back.column("decayMode"), one.column("decayMode"));
    let err = ParquetReader::open(&dir.join("a.parquet"), Some(&["Mbcc"]))
        .err()
        .unwrap();
    assert_eq!(err.code, "SL203");
    assert!(
        err.message.contains("did you mean `Mbc`"),
        "{}",
        err.message
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn different_seeds_differ() {
    let a = generate_table("idm_dark_higgs", 1000, 1, &Params::default()).unwrap();
    let b = generate_table("idm_dark_higgs", 1000, 2, &Params::default()).unwrap();
    assert_ne!(a.column("dr"), b.column("dr"));
}

#[test]
fn toy_inputs_are_cached_by_version_and_parameters() {
    use searchlight::toy::cache::{key, materialize};
    let dir = std::env::temp_dir().join(format!("searchlight-cache-{}", std::process::id()));
    let p = params(&[("inject_mass", &[1.0]), ("inject_yield", &[5.0])]);
    let hashes = dir.join("hashes");
    let first = materialize(&dir, &hashes, "b_to_k_alp", 3000, 8, &p).unwrap();
    assert!(first.fresh && first.refused.is_none());
    let path = first.path.clone();
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let again = materialize(&dir, &hashes, "b_to_k_alp", 3000, 8, &p).unwrap();
    assert!(!again.fresh && again.path == path && again.sha256 == first.sha256);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified,
        "not regenerated"
    );
    // A flipped bit makes the entry a miss: generated again, with the reason, and the
    // same bytes as the first time.
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(&path, &bytes).unwrap();
    let repaired = materialize(&dir, &hashes, "b_to_k_alp", 3000, 8, &p).unwrap();
    assert!(repaired.fresh && repaired.refused.is_some());
    assert_eq!(repaired.sha256, first.sha256);
    let cached = ParquetReader::open(&path, None)
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(cached, generate_table("b_to_k_alp", 3000, 8, &p).unwrap());
    // Any parameter changes the key; parameter order does not.
    let swapped = params(&[("inject_yield", &[5.0]), ("inject_mass", &[1.0])]);
    assert_eq!(
        key("b_to_k_alp", 3000, 8, &p),
        key("b_to_k_alp", 3000, 8, &swapped)
    );
    assert_ne!(
        key("b_to_k_alp", 3000, 8, &p),
        key("b_to_k_alp", 3000, 9, &p)
    );
    assert_ne!(
        key("b_to_k_alp", 3000, 8, &p),
        key("b_to_k_alp_signal", 3000, 8, &p)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn three_photon_events_carry_the_two_body_recoil_and_a_diphoton_peak() {
    let t = generate_table(
        "ee_to_gamma_alp_signal",
        40_000,
        5,
        &params(&[("masses", &[1.0, 6.0])]),
    )
    .unwrap();
    let (truth, mgg) = (col(&t, "mcM_a"), col(&t, "M_gg"));
    let (recoil, total) = (col(&t, "E_gamma_recoil"), col(&t, "E_total"));
    let sqrt_s = 10.58;
    for (m, sigma_range) in [(1.0, 0.012..0.03), (6.0, 0.06..0.11)] {
        let rows: Vec<usize> = (0..t.rows()).filter(|&i| truth[i] == m).collect();
        let peak: Vec<f64> = rows.iter().map(|&i| mgg[i]).collect();
        let (centre, sigma) = core(&peak);
        eprintln!(
            "m = {m}: peak {centre:.4} σ {sigma:.4} from {} rows",
            rows.len()
        );
        assert!((centre - m).abs() < 0.01 * m, "peak {centre} at {m}");
        assert!(sigma_range.contains(&sigma), "σ {sigma} at {m}");
        // The recoil photon has the two-body energy, the three photons √s (within the
        // calorimeter's resolution and its low tail).
        let two_body = (sqrt_s * sqrt_s - m * m) / (2.0 * sqrt_s);
        let (recoils, totals): (Vec<f64>, Vec<f64>) =
            rows.iter().map(|&i| (recoil[i], total[i])).unzip();
        assert!((core(&recoils).0 - two_body).abs() < 0.03);
        assert!((core(&totals).0 - sqrt_s).abs() < 0.08);
    }
}

#[test]
fn four_muon_events_peak_at_the_zprime_mass_and_the_control_region_shares_the_background_shape() {
    let t = generate_table(
        "ee_to_mumu_zprime_signal",
        30_000,
        5,
        &params(&[("masses", &[1.0, 6.0])]),
    )
    .unwrap();
    let (truth, mass, muon_id) = (col(&t, "mcM_Zp"), col(&t, "M_mumu"), col(&t, "muonID_min"));
    let (total, momentum) = (col(&t, "M_4trk"), col(&t, "p_total_cm"));
    for (m, sigma_range) in [(1.0, 0.003..0.007), (6.0, 0.025..0.045)] {
        let rows: Vec<usize> = (0..t.rows()).filter(|&i| truth[i] == m).collect();
        let (centre, sigma) = core(&rows.iter().map(|&i| mass[i]).collect::<Vec<_>>());
        assert!((centre - m).abs() < 0.002 * m, "peak {centre} at {m}");
        assert!(sigma_range.contains(&sigma), "σ {sigma} at {m}");
        // Four tracks carry √s and no net momentum; both Z′ tracks are identified as
        // muons in most events.
        let totals: Vec<f64> = rows.iter().map(|&i| total[i]).collect();
        assert!((core(&totals).0 - 10.58).abs() < 0.03);
        let balanced = rows.iter().filter(|&&i| momentum[i] < 0.3).count();
        assert!(balanced as f64 > 0.95 * rows.len() as f64);
        let identified = rows.iter().filter(|&&i| muon_id[i] > 0.9).count() as f64;
        assert!((0.88..0.95).contains(&(identified / rows.len() as f64)));
    }
    // The data-like sample: the failed-identification region holds most of the μμππ
    // events and the same falling mass spectrum, 1/m: equal counts per unit of ln m.
    let d = generate_table("ee_to_mumu_zprime", 200_000, 6, &params(&[])).unwrap();
    let (mass, muon_id) = (col(&d, "M_mumu"), col(&d, "muonID_min"));
    let (total, momentum) = (col(&d, "M_4trk"), col(&d, "p_total_cm"));
    let shape = |region: &dyn Fn(f64) -> bool| {
        let kept: Vec<f64> = (0..d.rows())
            .filter(|&i| region(muon_id[i]) && (total[i] - 10.58).abs() < 0.15)
            .filter(|&i| momentum[i] < 0.3 && (0.5..8.0).contains(&mass[i]))
            .filter(|&i| !(3.01..3.18).contains(&mass[i]))
            .map(|i| mass[i])
            .collect();
        let below_2 = kept.iter().filter(|&&m| m < 2.0).count();
        (kept.len(), below_2 as f64 / kept.len() as f64)
    };
    let (signal_region, control_region) = (shape(&|id| id > 0.9), shape(&|id| id < 0.5));
    assert!(control_region.0 > signal_region.0 && signal_region.0 > 10_000);
    // ln 4 / ln 16 of the events below 2 GeV for a 1/m spectrum over [0.5, 8], within
    // the acceptance's distortion; the two regions alike within their statistics.
    assert!(
        (signal_region.1 - control_region.1).abs() < 0.03,
        "{signal_region:?} {control_region:?}"
    );
    assert!((signal_region.1 - 0.5).abs() < 0.1, "{signal_region:?}");
}

#[test]
fn the_alp_signal_walks_a_lifetime_grid_and_flies_as_its_lifetime_says() {
    let t = generate_table(
        "b_to_k_alp_signal",
        40_000,
        3,
        &params(&[("masses", &[1.0]), ("ctau", &[0.1, 10.0])]),
    )
    .unwrap();
    let (ctau, flight) = (col(&t, "mcCtau_a"), col(&t, "mcFlightDistance_a"));
    for grid in [0.1, 10.0] {
        let rows: Vec<usize> = (0..t.rows()).filter(|&i| ctau[i] == grid).collect();
        assert!(rows.len() > 2000, "{grid}: {}", rows.len());
        // The flight is βγcτ on average, βγ ≈ 2.6 for a 1 GeV ALP from a B at rest.
        let mean = rows.iter().map(|&i| flight[i]).sum::<f64>() / rows.len() as f64;
        assert!(
            (1.0..5.0).contains(&(mean / grid)),
            "{grid}: mean flight {mean}"
        );
    }
    // Every candidate from the ALP carries a lifetime of the grid (others have no ALP).
    let truth = col(&t, "mcM_a");
    assert!((0..t.rows()).all(|i| truth[i] == 0.0 || ctau[i] == 0.1 || ctau[i] == 10.0));
    let both = generate_table(
        "b_to_k_alp_signal",
        100,
        3,
        &params(&[("ctau", &[1.0]), ("coupling", &[1e-5])]),
    );
    assert!(both.is_err());
}
