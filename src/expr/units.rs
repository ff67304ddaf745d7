//! Units written after numbers (`20 MeV`, `2 cm`) and the dimensions they carry.
//! Base units: GeV for energy, momentum and mass; cm for length; ns for time.

/// A unit a literal may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// 10³ GeV
    TeV,
    /// the base energy unit
    GeV,
    /// 10⁻³ GeV
    MeV,
    /// 10⁻⁶ GeV
    KeV,
    /// 10⁻⁹ GeV
    EV,
    /// the base length unit
    Cm,
    /// 10⁻¹ cm
    Mm,
    /// 10⁻⁴ cm
    Um,
    /// 10⁻⁷ cm
    Nm,
    /// the base time unit
    Ns,
    /// 10⁻³ ns
    Ps,
    /// 10⁻⁶ ns
    Fs,
}

const TABLE: [(Unit, &str, f64, Dim); 12] = [
    (Unit::TeV, "TeV", 1e3, Dim::ENERGY),
    (Unit::GeV, "GeV", 1.0, Dim::ENERGY),
    (Unit::MeV, "MeV", 1e-3, Dim::ENERGY),
    (Unit::KeV, "keV", 1e-6, Dim::ENERGY),
    (Unit::EV, "eV", 1e-9, Dim::ENERGY),
    (Unit::Cm, "cm", 1.0, Dim::LENGTH),
    (Unit::Mm, "mm", 1e-1, Dim::LENGTH),
    (Unit::Um, "um", 1e-4, Dim::LENGTH),
    (Unit::Nm, "nm", 1e-7, Dim::LENGTH),
    (Unit::Ns, "ns", 1.0, Dim::TIME),
    (Unit::Ps, "ps", 1e-3, Dim::TIME),
    (Unit::Fs, "fs", 1e-6, Dim::TIME),
];

impl Unit {
    fn row(self) -> &'static (Unit, &'static str, f64, Dim) {
        TABLE
            .iter()
            .find(|r| r.0 == self)
            .expect("every unit has a row")
    }

    /// The unit for a symbol such as `MeV`.
    pub fn from_symbol(s: &str) -> Option<Unit> {
        TABLE.iter().find(|r| r.1 == s).map(|r| r.0)
    }

    /// The symbol as written.
    pub fn symbol(self) -> &'static str {
        self.row().1
    }

    /// Multiply a value in this unit by this to get base units.
    pub fn to_base(self) -> f64 {
        self.row().2
    }

    /// The dimension of this unit.
    pub fn dim(self) -> Dim {
        self.row().3
    }
}

/// A physical dimension as powers of energy, length and time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Dim {
    /// Power of energy (GeV).
    pub energy: i8,
    /// Power of length (cm).
    pub length: i8,
    /// Power of time (ns).
    pub time: i8,
}

impl Dim {
    /// A pure number.
    pub const NONE: Dim = Dim {
        energy: 0,
        length: 0,
        time: 0,
    };
    /// Energy, momentum, mass.
    pub const ENERGY: Dim = Dim {
        energy: 1,
        length: 0,
        time: 0,
    };
    /// Length.
    pub const LENGTH: Dim = Dim {
        energy: 0,
        length: 1,
        time: 0,
    };
    /// Time.
    pub const TIME: Dim = Dim {
        energy: 0,
        length: 0,
        time: 1,
    };

    /// Dimension raised to an integer power.
    pub fn pow(self, n: i8) -> Dim {
        Dim {
            energy: self.energy.saturating_mul(n),
            length: self.length.saturating_mul(n),
            time: self.time.saturating_mul(n),
        }
    }

    /// Square root, when every power is even.
    pub fn sqrt(self) -> Option<Dim> {
        (self.energy % 2 == 0 && self.length % 2 == 0 && self.time % 2 == 0).then_some(Dim {
            energy: self.energy / 2,
            length: self.length / 2,
            time: self.time / 2,
        })
    }
}

impl std::ops::Mul for Dim {
    type Output = Dim;

    /// Dimension of a product.
    fn mul(self, o: Dim) -> Dim {
        Dim {
            energy: self.energy.saturating_add(o.energy),
            length: self.length.saturating_add(o.length),
            time: self.time.saturating_add(o.time),
        }
    }
}

impl std::ops::Div for Dim {
    type Output = Dim;

    /// Dimension of a quotient.
    fn div(self, o: Dim) -> Dim {
        Dim {
            energy: self.energy.saturating_sub(o.energy),
            length: self.length.saturating_sub(o.length),
            time: self.time.saturating_sub(o.time),
        }
    }
}

impl std::fmt::Display for Dim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if *self == Dim::NONE {
            return f.write_str("a pure number");
        }
        let mut parts = Vec::new();
        for (p, name) in [(self.energy, "GeV"), (self.length, "cm"), (self.time, "ns")] {
            match p {
                0 => {}
                1 => parts.push(name.to_string()),
                p => parts.push(format!("{name}^{p}")),
            }
        }
        f.write_str(&parts.join("·"))
    }
}
