//! Output schemas of the toy generators. Column names follow basf2 (`daughter(1, M)` is
//! stored as `daughter__bo1__cm__spM__bc`); ranges are the generators' physical bounds.

use super::{ColumnDecl, Generator, ParamDecl};
use crate::expr::Dim;
use crate::io::ColumnType::{self, F64, I32, U32};

const fn col(
    var: &'static str,
    ty: ColumnType,
    dim: Dim,
    range: Option<(f64, f64)>,
    doc: &'static str,
) -> ColumnDecl {
    ColumnDecl {
        var,
        ty,
        dim,
        range,
        doc,
    }
}

const E: Dim = Dim::ENERGY;
const L: Dim = Dim::LENGTH;
const N: Dim = Dim::NONE;

macro_rules! event_columns {
    ($($extra:expr),* $(,)?) => {
        &[
            col("__experiment__", I32, N, None, "experiment number"),
            col("__run__", I32, N, None, "run number"),
            col("__event__", U32, N, None, "event number"),
            col("__candidate__", I32, N, None, "candidate index within the event"),
            col("__ncandidates__", I32, N, None, "candidates in the event"),
            col("__weight__", F64, N, None, "event weight (1 for data)"),
            col("isSignal", I32, N, Some((0.0, 1.0)), "1 for a correctly reconstructed signal candidate"),
            $($extra),*
        ]
    };
}

const B_TO_K_ALP: &[ColumnDecl] = event_columns![
    col("Mbc", F64, E, Some((5.2, 5.2901)), "beam-constrained mass"),
    col("deltaE", F64, E, Some((-0.5, 0.5)), "E*_B - E*_beam"),
    col(
        "decayMode",
        I32,
        N,
        Some((0.0, 3.0)),
        "kaon channel: 0 K+, 1 K_S0, 2 K*0, 3 K*+"
    ),
    col(
        "daughter(0, M)",
        F64,
        E,
        Some((0.0, 2.0)),
        "mass of the kaon system (K_S0 -> pi pi, K* -> K pi)"
    ),
    col(
        "daughter(1, M)",
        F64,
        E,
        Some((0.0, 5.0)),
        "di-photon mass m_gammagamma"
    ),
    col(
        "useCMSFrame(daughter(0, p))",
        F64,
        E,
        Some((0.0, 3.0)),
        "kaon momentum in the CM frame"
    ),
    col(
        "daughter(1, daughter(0, E))",
        F64,
        E,
        Some((0.0, 5.0)),
        "energy of the harder photon"
    ),
    col(
        "daughter(1, daughter(1, E))",
        F64,
        E,
        Some((0.0, 5.0)),
        "energy of the softer photon"
    ),
    col(
        "pi0veto_M1",
        F64,
        E,
        Some((0.0, 1.0)),
        "di-photon mass closest to m_pi0 using the harder photon"
    ),
    col(
        "pi0veto_M2",
        F64,
        E,
        Some((0.0, 1.0)),
        "di-photon mass closest to m_pi0 using the softer photon"
    ),
    col(
        "cosHelicityAngleMomentum",
        F64,
        N,
        Some((-1.0, 1.0)),
        "helicity angle of the ALP candidate"
    ),
    col(
        "R2",
        F64,
        N,
        Some((0.0, 1.0)),
        "reduced second Fox-Wolfram moment"
    ),
    col(
        "cosTBTO",
        F64,
        N,
        Some((0.0, 1.0)),
        "cosine between B and rest-of-event thrust axes"
    ),
    col(
        "cosTBz",
        F64,
        N,
        Some((0.0, 1.0)),
        "cosine between B thrust axis and the beam"
    ),
    col("thrustOm", F64, N, Some((0.5, 1.0)), "rest-of-event thrust"),
    col(
        "KSFWVariables(hso02)",
        F64,
        N,
        Some((-1.0, 3.0)),
        "Kakuno-Super-Fox-Wolfram moment H^so_02"
    ),
    col(
        "mcM_a",
        F64,
        E,
        Some((0.0, 5.0)),
        "true ALP mass (signal), 0 otherwise"
    ),
    col(
        "mcFlightDistance_a",
        F64,
        L,
        Some((0.0, 1000.0)),
        "true ALP flight distance (signal)"
    ),
    col(
        "mcCtau_a",
        F64,
        L,
        Some((0.0, 1.0e12)),
        "true ALP proper decay length (signal), 0 for a prompt decay"
    ),
];

const IDM_DARK_HIGGS: &[ColumnDecl] = event_columns![
    col(
        "decayMode",
        I32,
        N,
        Some((0.0, 2.0)),
        "dark Higgs channel: 0 mu mu, 1 pi pi, 2 K K"
    ),
    col(
        "M",
        F64,
        E,
        Some((0.0, 10.6)),
        "mass of the h' vertex under the channel's hypothesis"
    ),
    col(
        "M_pionHypothesis",
        F64,
        E,
        Some((0.27, 10.6)),
        "mass of the h' vertex under the pi pi hypothesis"
    ),
    col(
        "M_protonPionHypothesis",
        F64,
        E,
        Some((1.07, 10.6)),
        "mass of the h' vertex under the p pi hypothesis"
    ),
    col(
        "dr",
        F64,
        L,
        Some((0.0, 100.0)),
        "transverse distance of the h' vertex from the IP"
    ),
    col(
        "cosAngleBetweenMomentumAndVertexVector",
        F64,
        N,
        Some((-1.0, 1.0)),
        "pointing of the h' candidate"
    ),
    col(
        "ee_M",
        F64,
        E,
        Some((0.0, 10.6)),
        "e+e- mass at the chi2 vertex"
    ),
    col(
        "ee_dr",
        F64,
        L,
        Some((0.0, 100.0)),
        "transverse distance of the e+e- vertex from the IP"
    ),
    col(
        "missingEnergyOfEventCMS",
        F64,
        E,
        Some((0.0, 10.6)),
        "missing energy in the CM frame"
    ),
    col(
        "nTracks",
        I32,
        N,
        Some((0.0, 20.0)),
        "charged tracks in the event"
    ),
    col(
        "mcM_hprime",
        F64,
        E,
        Some((0.0, 10.6)),
        "true dark Higgs mass (signal)"
    ),
    col(
        "mcFlightDistance_hprime",
        F64,
        L,
        Some((0.0, 1000.0)),
        "true dark Higgs transverse flight (signal)"
    ),
    col(
        "mcCtau_hprime",
        F64,
        L,
        Some((0.0, 1.0e4)),
        "generated dark Higgs proper decay length (signal)"
    ),
];

const B_TO_H_INVISIBLE: &[ColumnDecl] = event_columns![
    col(
        "decayMode",
        I32,
        N,
        Some((0.0, 4.0)),
        "signal hadron: 0 pi+, 1 K+, 2 p, 3 D_s+, 4 anti-D0"
    ),
    col(
        "daughter(0, Mbc)",
        F64,
        E,
        Some((5.2, 5.2901)),
        "tag-side beam-constrained mass"
    ),
    col(
        "daughter(0, deltaE)",
        F64,
        E,
        Some((-0.5, 0.5)),
        "tag-side energy difference"
    ),
    col(
        "daughter(0, sigProb)",
        F64,
        N,
        Some((0.0, 1.0)),
        "FEI signal probability of the tag B"
    ),
    col(
        "useTagSideRecoilRestFrame(daughter(1, p), 0)",
        F64,
        E,
        Some((0.0, 3.0)),
        "hadron momentum in the signal-B rest frame"
    ),
    col(
        "daughter(1, M)",
        F64,
        E,
        Some((0.1, 2.0)),
        "signal hadron mass"
    ),
    col(
        "nRemainingTracksInEvent",
        I32,
        N,
        Some((0.0, 20.0)),
        "tracks not used by the tag or the hadron"
    ),
    col(
        "roeEextra(cleanMask)",
        F64,
        E,
        Some((0.0, 5.0)),
        "extra calorimeter energy"
    ),
    col(
        "mcM_X",
        F64,
        E,
        Some((0.0, 5.3)),
        "true invisible mass (signal)"
    ),
];

const EE_TO_GAMMA_ALP: &[ColumnDecl] = event_columns![
    col(
        "decayMode",
        I32,
        N,
        Some((0.0, 0.0)),
        "a -> gamma gamma (the only mode)"
    ),
    col(
        "M_gg",
        F64,
        E,
        Some((0.0, 11.0)),
        "invariant mass of the ALP candidate's two photons"
    ),
    col(
        "E_gamma_recoil",
        F64,
        E,
        Some((0.0, 7.0)),
        "centre-of-mass energy of the recoil photon"
    ),
    col(
        "E_total",
        F64,
        E,
        Some((0.0, 14.0)),
        "centre-of-mass energy of the three photons"
    ),
    col(
        "cos_theta_recoil",
        F64,
        N,
        Some((-1.0, 1.0)),
        "cosine of the recoil photon's polar angle, centre-of-mass frame"
    ),
    col(
        "E_gamma_min",
        F64,
        E,
        Some((0.0, 10.0)),
        "lab energy of the softer photon of the ALP candidate"
    ),
    col("mcM_a", F64, E, Some((0.0, 10.6)), "true ALP mass (signal)"),
];

const EE_TO_MUMU_ZPRIME: &[ColumnDecl] = event_columns![
    col(
        "decayMode",
        I32,
        N,
        Some((0.0, 0.0)),
        "Z' -> mu+ mu- (the only mode)"
    ),
    col(
        "M_mumu",
        F64,
        E,
        Some((0.0, 11.0)),
        "invariant mass of the Z' candidate's two tracks (muon hypothesis)"
    ),
    col(
        "M_4trk",
        F64,
        E,
        Some((0.0, 14.0)),
        "centre-of-mass invariant mass of the four tracks"
    ),
    col(
        "p_total_cm",
        F64,
        E,
        Some((0.0, 11.0)),
        "magnitude of the four tracks' total centre-of-mass momentum"
    ),
    col(
        "muonID_min",
        F64,
        N,
        Some((0.0, 1.0)),
        "smaller muon identification of the Z' candidate's two tracks"
    ),
    col("mcM_Zp", F64, E, Some((0.0, 10.6)), "true Z' mass (signal)"),
];

const INJECT: &[ParamDecl] = &[
    ParamDecl {
        name: "inject_mass",
        list: false,
        doc: "mass of an injected signal, GeV (closure tests)",
    },
    ParamDecl {
        name: "inject_yield",
        list: false,
        doc: "number of injected signal events",
    },
];

/// Every toy generator.
pub const GENERATORS: &[Generator] = &[
    Generator {
        name: "b_to_k_alp",
        doc: "Belle data-like mixture for B -> K(*) a(-> gamma gamma): continuum, generic BB, peaking pi0/eta/eta'",
        experiment: "belle",
        columns: B_TO_K_ALP,
        params: INJECT,
    },
    Generator {
        name: "b_to_k_alp_signal",
        doc: "B -> K(*) a(-> gamma gamma) signal over a grid of ALP masses, with the ALP flight",
        experiment: "belle",
        columns: B_TO_K_ALP,
        params: &[
            ParamDecl {
                name: "masses",
                list: true,
                doc: "ALP mass grid, GeV",
            },
            ParamDecl {
                name: "coupling",
                list: false,
                doc: "g_aW in 1/GeV, sets the ALP lifetime (default: prompt)",
            },
            ParamDecl {
                name: "ctau",
                list: true,
                doc: "ALP proper decay lengths, cm: a lifetime grid instead of `coupling`",
            },
        ],
    },
    Generator {
        name: "idm_dark_higgs",
        doc: "Belle II background for dark Higgs + inelastic DM: K_S0, Lambda, conversions, fakes",
        experiment: "belle2",
        columns: IDM_DARK_HIGGS,
        params: INJECT,
    },
    Generator {
        name: "idm_dark_higgs_signal",
        doc: "e+e- -> h' chi1 chi2 signal over a grid of dark Higgs masses and lifetimes",
        experiment: "belle2",
        columns: IDM_DARK_HIGGS,
        params: &[
            ParamDecl {
                name: "masses",
                list: true,
                doc: "dark Higgs mass grid, GeV",
            },
            ParamDecl {
                name: "ctau",
                list: true,
                doc: "dark Higgs proper decay lengths, cm",
            },
        ],
    },
    Generator {
        name: "ee_to_gamma_alp",
        doc: "Belle II three-photon sample for e+e- -> gamma a(-> gamma gamma): QED continuum, gamma pi0/eta/eta', beam-background photons",
        experiment: "belle2",
        columns: EE_TO_GAMMA_ALP,
        params: INJECT,
    },
    Generator {
        name: "ee_to_gamma_alp_signal",
        doc: "e+e- -> gamma a(-> gamma gamma) signal over a grid of ALP masses",
        experiment: "belle2",
        columns: EE_TO_GAMMA_ALP,
        params: &[ParamDecl {
            name: "masses",
            list: true,
            doc: "ALP mass grid, GeV",
        }],
    },
    Generator {
        name: "ee_to_mumu_zprime",
        doc: "Belle II four-track sample for e+e- -> mu+ mu- Z'(-> mu+ mu-): four-muon and mu mu pi pi continua, J/psi, lost photons",
        experiment: "belle2",
        columns: EE_TO_MUMU_ZPRIME,
        params: INJECT,
    },
    Generator {
        name: "ee_to_mumu_zprime_signal",
        doc: "e+e- -> mu+ mu- Z'(-> mu+ mu-) signal over a grid of Z' masses",
        experiment: "belle2",
        columns: EE_TO_MUMU_ZPRIME,
        params: &[ParamDecl {
            name: "masses",
            list: true,
            doc: "Z' mass grid, GeV",
        }],
    },
    Generator {
        name: "b_to_h_invisible",
        doc: "Belle hadronic-tag data-like sample for B -> h + invisible: generic BB and continuum",
        experiment: "belle",
        columns: B_TO_H_INVISIBLE,
        params: INJECT,
    },
    Generator {
        name: "b_to_h_invisible_signal",
        doc: "B -> h X(invisible) signal over a grid of invisible masses, per hadron channel",
        experiment: "belle",
        columns: B_TO_H_INVISIBLE,
        params: &[ParamDecl {
            name: "masses",
            list: true,
            doc: "invisible-state mass grid, GeV",
        }],
    },
];
