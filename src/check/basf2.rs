//! The units of basf2 variables, for the columns of file inputs (whose files carry no
//! units): basf2 writes energies, momenta and masses in GeV, lengths in cm and times in
//! ns, which are searchlight's base units. A column named after a variable listed here
//! is checked like a toy column of that dimension (`Mbc > 5 cm` is `SL022`); any other
//! column is a number of unknown dimension.

use crate::expr::{Dim, Expr, ExprKind};

/// Variables by dimension.
const BY_DIMENSION: &[(Dim, &[&str])] = &[
    (
        Dim::ENERGY,
        &[
            "M",
            "InvM",
            "ErrM",
            "Mbc",
            "deltaE",
            "E",
            "p",
            "px",
            "py",
            "pz",
            "pt",
            "mRecoil",
            "pRecoil",
            "eRecoil",
            "Ecms",
            "beamE",
            "clusterE",
            "missingMomentumOfEvent",
            "missingMomentumOfEventCMS",
            "missingEnergyOfEventCMS",
            "visibleEnergyOfEventCMS",
            "totalPhotonsEnergyOfEvent",
            "roeEextra",
            "roeDeltae",
            "roeMbc",
            "roeM",
            "roeE",
        ],
    ),
    (
        Dim::LENGTH,
        &[
            "dr",
            "dx",
            "dy",
            "dz",
            "x",
            "y",
            "z",
            "d0",
            "z0",
            "distance",
            "flightDistance",
        ],
    ),
    (Dim::TIME, &["flightTime", "mcFlightTime"]),
    (
        Dim::NONE,
        &[
            "cosTheta",
            "theta",
            "phi",
            "charge",
            "PDG",
            "mcPDG",
            "isSignal",
            "mcErrors",
            "R2",
            "cosTBTO",
            "cosTBz",
            "thrustOm",
            "thrustBm",
            "foxWolframR2",
            "chiProb",
            "pValue",
            "nTracks",
            "nCleanedTracks",
            "nRemainingTracksInEvent",
            "cosAngleBetweenMomentumAndVertexVector",
            "significanceOfDistance",
            "sigProb",
            "electronID",
            "muonID",
            "pionID",
            "kaonID",
            "protonID",
            "nParticlesInList",
            "KSFWVariables",
        ],
    ),
];

/// Squared energies.
const ENERGY_SQUARED: &[&str] = &["m2Recoil", "missingMass2OfEvent", "M2"];

/// Metavariables whose value is their last argument's, in another frame or for a
/// daughter: `daughter(0, Mbc)` is a mass.
const SAME_AS_LAST_ARGUMENT: &[&str] = &[
    "daughter",
    "grandDaughter",
    "useCMSFrame",
    "useLabFrame",
    "useRestFrame",
    "useTagSideRecoilRestFrame",
    "useParticleRestFrame",
    "useDaughterRestFrame",
];

/// The dimension of a basf2 variable (a name, or a call of a metavariable), if basf2
/// fixes it.
pub fn dim(expr: &Expr) -> Option<Dim> {
    match &expr.kind {
        ExprKind::Name(name) => dim_of_name(name),
        ExprKind::Call(name, args) if SAME_AS_LAST_ARGUMENT.contains(&name.as_str()) => {
            dim(args.last()?)
        }
        // A variable with arguments that are not variables (`roeEextra(cleanMask)`).
        ExprKind::Call(name, _) => dim_of_name(name),
        _ => None,
    }
}

/// The dimension of the basf2 variable `name` (no arguments), if basf2 fixes it.
pub fn dim_of_name(name: &str) -> Option<Dim> {
    if ENERGY_SQUARED.contains(&name) {
        return Some(Dim::ENERGY.pow(2));
    }
    BY_DIMENSION
        .iter()
        .find(|(_, names)| names.contains(&name))
        .map(|(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_text;

    #[test]
    fn metavariables_keep_their_variable_s_unit() {
        let dim_of = |text: &str| dim(&parse_text(text).unwrap());
        assert_eq!(dim_of("Mbc"), Some(Dim::ENERGY));
        assert_eq!(dim_of("daughter(0, Mbc)"), Some(Dim::ENERGY));
        assert_eq!(dim_of("useCMSFrame(daughter(1, p))"), Some(Dim::ENERGY));
        assert_eq!(dim_of("dr"), Some(Dim::LENGTH));
        assert_eq!(dim_of("roeEextra(cleanMask)"), Some(Dim::ENERGY));
        assert_eq!(dim_of("m2Recoil"), Some(Dim::ENERGY.pow(2)));
        assert_eq!(dim_of("daughter(0, isSignal)"), Some(Dim::NONE));
        assert_eq!(dim_of("my_column"), None);
        assert_eq!(dim_of("daughter(0, my_column)"), None);
    }
}
