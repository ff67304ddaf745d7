//! Name resolution: what each name in an expression refers to.

use super::types::{Info, Ty};
use crate::diag::{SourceMap, Span};
use crate::expr::{Dim, Expr, ExprKind, function, print};
use crate::physics;
use crate::spec::{Source, Spec};
use crate::toy::{self, ColumnDecl};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

/// Where an expression stands, which decides the names it may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Per-candidate expressions: cuts, aliases, features. Columns, aliases, MVA outputs
    /// and constants.
    Data,
    /// The cuts of one input (`inputs.<name>.cuts`, by index in `spec.inputs`): like
    /// `Data`, with that input's own columns (truth-matching variables of simulation).
    Input(usize),
    /// Model expressions (PDF parameters, resolution, scan step, reinterpretation):
    /// the scan parameter and constants, plus `sigma` and the POI where allowed.
    Model {
        /// `sigma` (the resolution at the hypothesis) is defined.
        sigma: bool,
        /// The parameter of interest is defined.
        poi: bool,
    },
}

/// What a name refers to.
#[derive(Clone, Copy, Debug)]
pub enum Symbol {
    /// A column declared by the input's schema.
    Column(&'static ColumnDecl),
    /// A column of a file input, whose schema is read only at run time, with its
    /// dimension where basf2 fixes it ([`super::basf2`]).
    FileColumn(Option<crate::expr::Dim>),
    /// The alias at this index of `spec.variables`.
    Alias(usize),
    /// The MVA at this index of `spec.mva`.
    Mva(usize),
    /// The correction at this index of `spec.corrections` (`NAME` or `NAME(VALUE)`).
    Correction(usize),
    /// A physical constant.
    Constant(f64),
    /// The scan hypothesis parameter.
    Parameter,
    /// The resolution at the hypothesis.
    Sigma,
    /// The parameter of interest.
    Poi,
}

/// The columns of one input: a toy's declared ones, or a file input's branch names
/// (None when its files cannot be read now), with the dimensions its `units` declare.
struct Schema {
    columns: Option<HashMap<String, &'static ColumnDecl>>,
    file_columns: Option<HashMap<String, String>>,
    declared_dims: HashMap<String, Dim>,
}

impl Schema {
    fn of(input: &crate::spec::Input, base_dir: &std::path::Path) -> Schema {
        let columns = match &input.source {
            Source::Toy { generator, .. } => Some(
                toy::generator(&generator.value)
                    .map(|g| g.columns.iter().map(|c| (c.branch(), c)).collect())
                    .unwrap_or_default(),
            ),
            Source::Files { .. } => None,
        };
        let file_columns = match &input.source {
            Source::Files { files, tree, .. } => LintContext::file_schema(
                base_dir,
                files.iter().map(|f| f.value.as_str()),
                tree.as_ref().map(|t| t.value.as_str()),
            ),
            Source::Toy { .. } => None,
        };
        let declared_dims = match &input.source {
            Source::Files { units, .. } => units
                .iter()
                .map(|(column, unit)| {
                    (
                        column.value.clone(),
                        unit.value.map_or(Dim::NONE, |u| u.dim()),
                    )
                })
                .collect(),
            Source::Toy { .. } => HashMap::new(),
        };
        Schema {
            columns,
            file_columns,
            declared_dims,
        }
    }
}

/// Everything the rules need, resolved once.
pub struct LintContext<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// Its source files.
    pub sources: &'a SourceMap,
    /// Directory that relative paths in the spec are resolved against.
    pub base_dir: PathBuf,
    /// Columns of the data input by branch name; `None` for file inputs.
    pub columns: Option<HashMap<String, &'static ColumnDecl>>,
    /// Branch names of a file input, read from its first Parquet file; `None` when the
    /// input is a toy or its files cannot be read now (then `run` reports why).
    pub file_columns: Option<HashMap<String, String>>,
    /// Dimensions of the data input's columns declared by its `units`.
    declared_dims: HashMap<String, Dim>,
    /// The schemas of inputs other than the data with their own cuts or weight, by index
    /// in `spec.inputs`.
    input_schemas: Vec<Option<Schema>>,
    alias_info: RefCell<HashMap<usize, Option<Info>>>,
    mva_ranges: std::cell::OnceCell<Vec<Option<(f64, f64)>>>,
    /// The correction of each entry of `spec.corrections`, its file read once
    /// ([`super::corrections::open`]).
    pub(super) corrections:
        std::cell::OnceCell<Vec<Result<super::corrections::Opened, crate::diag::Diagnostic>>>,
}

impl<'a> LintContext<'a> {
    /// Resolves the schema of the data input.
    pub fn new(spec: &'a Spec, sources: &'a SourceMap, base_dir: PathBuf) -> Self {
        let data = spec
            .inputs
            .iter()
            .find(|i| i.name.value == "data")
            .or(spec.inputs.first());
        let schema = data.map(|i| Schema::of(i, &base_dir));
        let (columns, file_columns, declared_dims) = match schema {
            Some(s) => (s.columns, s.file_columns, s.declared_dims),
            None => (None, None, HashMap::new()),
        };
        // Inputs with expressions of their own resolve them against their own columns;
        // the data input's are the fields above (`column` falls back to them).
        let input_schemas = spec
            .inputs
            .iter()
            .enumerate()
            .map(|(k, i)| {
                let own = spec.has_own_expressions(k);
                (own && !data.is_some_and(|d| std::ptr::eq(d, i))).then(|| Schema::of(i, &base_dir))
            })
            .collect();
        LintContext {
            spec,
            sources,
            base_dir,
            columns,
            file_columns,
            declared_dims,
            input_schemas,
            alias_info: RefCell::default(),
            mva_ranges: std::cell::OnceCell::new(),
            corrections: std::cell::OnceCell::new(),
        }
    }

    /// The columns of the first file (ROOT or Parquet) of a file input, each with what
    /// it holds.
    fn file_schema<'p>(
        base: &std::path::Path,
        patterns: impl Iterator<Item = &'p str>,
        tree: Option<&str>,
    ) -> Option<HashMap<String, String>> {
        let files = crate::io::files::expand(base, patterns).ok()?;
        crate::io::source::NtupleReader::describe_columns(files.first()?, tree)
            .ok()
            .map(|columns| columns.into_iter().collect())
    }

    /// The branches the analysis reads from its data-like inputs: the bookkeeping
    /// columns, then every column a cut, alias, feature or observable names, in spec order.
    pub fn data_columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = crate::io::source::EVENT_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect();
        for c in self.used_columns() {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
        columns
    }

    /// The branches the spec's data expressions name, in spec order, once each.
    pub fn used_columns(&self) -> Vec<String> {
        self.columns_of(Scope::Data)
    }

    /// The branches the expressions of `scope` name (`Data`: the analysis',
    /// `Input(i)`: the cuts of input i), in spec order, once each.
    pub fn columns_of(&self, scope: Scope) -> Vec<String> {
        let mut columns: Vec<String> = Vec::new();
        for site in super::sites::sites(self.spec)
            .into_iter()
            .filter(|s| s.scope == scope)
        {
            super::sites::visit_resolvable(&site.expr.expr, &mut |e: &Expr| {
                let key = match &e.kind {
                    ExprKind::Name(n) => n.clone(),
                    ExprKind::Call(..) if self.resolve_call_in(e, scope).is_some() => {
                        crate::expr::print(e)
                    }
                    _ => return,
                };
                let symbol = match &e.kind {
                    ExprKind::Name(n) => self.resolve(n, scope),
                    _ => self.resolve_call_in(e, scope),
                };
                if let Some(Symbol::Column(_) | Symbol::FileColumn(_)) = symbol {
                    let branch = crate::expr::mangle(&key);
                    if !columns.contains(&branch) {
                        columns.push(branch);
                    }
                }
            });
        }
        columns
    }

    /// Name of the scan parameter, if the spec scans.
    pub fn scan_parameter(&self) -> Option<&str> {
        self.spec.scan.as_ref().map(|s| s.parameter.value.as_str())
    }

    /// The plain numbers of reinterpretation formulas and model planes: their tables
    /// (`limits.reinterpret.*.tables`, `limits.model_plane.*.tables`) and the planes'
    /// couplings.
    fn formula_numbers(&self) -> impl Iterator<Item = &str> {
        self.spec.limits.iter().flat_map(|l| {
            let couplings = l.model_plane.iter().map(|p| &p.coupling);
            l.formula_tables()
                .map(|(n, _)| n)
                .chain(couplings)
                .map(|n| n.value.as_str())
        })
    }

    /// Name of the parameter of interest.
    pub fn poi(&self) -> Option<&str> {
        self.spec
            .model
            .as_ref()
            .map(|m| m.poi().name.value.as_str())
    }

    /// What `name` refers to in `scope`, if anything.
    pub fn resolve(&self, name: &str, scope: Scope) -> Option<Symbol> {
        match scope {
            Scope::Data | Scope::Input(_) => {
                if let Some(i) = self
                    .spec
                    .variables
                    .iter()
                    .position(|v| v.name.value == name)
                {
                    return Some(Symbol::Alias(i));
                }
                if let Some(i) = self.spec.mva.iter().position(|m| m.name.value == name) {
                    return Some(Symbol::Mva(i));
                }
                if let Some(i) = self.correction_index(name) {
                    return Some(Symbol::Correction(i));
                }
                if let Some(c) = self.column(scope, name, || super::basf2::dim_of_name(name)) {
                    return Some(c);
                }
            }
            Scope::Model { sigma, poi } => {
                if self.scan_parameter() == Some(name) {
                    return Some(Symbol::Parameter);
                }
                if sigma && name == "sigma" {
                    return Some(Symbol::Sigma);
                }
                // The POI, the tables of reinterpretation formulas and model planes, and
                // the planes' couplings: plain numbers.
                if poi && (self.poi() == Some(name) || self.formula_numbers().any(|t| t == name)) {
                    return Some(Symbol::Poi);
                }
            }
        }
        self.spec.constant(name).map(Symbol::Constant)
    }

    /// The column a branch name or basf2 variable text refers to (a file column's
    /// dimension: declared by the input's `units`, else `basf2`'s).
    fn column(
        &self,
        scope: Scope,
        branch: &str,
        basf2: impl Fn() -> Option<Dim>,
    ) -> Option<Symbol> {
        let (columns, file_columns, declared_dims) = match scope {
            Scope::Input(i) => match self.input_schemas.get(i).and_then(Option::as_ref) {
                Some(s) => (&s.columns, &s.file_columns, &s.declared_dims),
                None => (&self.columns, &self.file_columns, &self.declared_dims),
            },
            _ => (&self.columns, &self.file_columns, &self.declared_dims),
        };
        let dim = || declared_dims.get(branch).copied().or_else(&basf2);
        match (columns, file_columns) {
            (Some(cols), _) => cols.get(branch).map(|c| Symbol::Column(c)),
            (None, Some(names)) => names
                .contains_key(branch)
                .then(|| Symbol::FileColumn(dim())),
            (None, None) => Some(Symbol::FileColumn(dim())),
        }
    }

    /// The column a non-builtin call (`daughter(0, M)`) refers to.
    pub fn resolve_call(&self, call: &Expr) -> Option<Symbol> {
        self.resolve_call_in(call, Scope::Data)
    }

    /// The column a non-builtin call refers to in `scope`.
    pub fn resolve_call_in(&self, call: &Expr, scope: Scope) -> Option<Symbol> {
        match &call.kind {
            ExprKind::Call(name, _)
                if matches!(scope, Scope::Data | Scope::Input(_))
                    && self.correction_index(name).is_some() =>
            {
                self.correction_index(name).map(Symbol::Correction)
            }
            ExprKind::Call(name, _) if function(name).is_none() => {
                self.column(scope, &crate::expr::mangle(&print(call)), || {
                    super::basf2::dim(call)
                })
            }
            _ => None,
        }
    }

    /// The index of the correction named `name`.
    fn correction_index(&self, name: &str) -> Option<usize> {
        self.spec
            .corrections
            .iter()
            .position(|c| c.name.value == name)
    }

    /// Every name visible in `scope`, for "did you mean".
    pub fn visible_names(&self, scope: Scope) -> Vec<String> {
        let mut names: Vec<String> = physics::CONSTANTS
            .iter()
            .map(|c| c.name.to_string())
            .collect();
        if self.spec.analysis.experiment.is_some() {
            names.extend(physics::BEAM_CONSTANTS.iter().map(|(n, _)| n.to_string()));
        }
        match scope {
            Scope::Data | Scope::Input(_) => {
                names.extend(self.spec.variables.iter().map(|v| v.name.value.clone()));
                names.extend(self.spec.mva.iter().map(|m| m.name.value.clone()));
                names.extend(self.spec.corrections.iter().map(|c| c.name.value.clone()));
                if let Some(cols) = &self.columns {
                    names.extend(cols.values().map(|c| c.var.to_string()));
                }
                names.extend(self.file_columns.iter().flat_map(|c| c.keys().cloned()));
            }
            Scope::Model { sigma, poi } => {
                names.extend(self.scan_parameter().map(str::to_string));
                if sigma {
                    names.push("sigma".into());
                }
                if poi {
                    names.extend(self.poi().map(str::to_string));
                    names.extend(self.formula_numbers().map(str::to_string));
                }
            }
        }
        names
    }

    /// Type, dimension and discreteness of an alias (None while it is being computed, i.e.
    /// inside a cycle).
    pub fn alias_info(&self, index: usize) -> Option<Info> {
        if let Some(known) = self.alias_info.borrow().get(&index) {
            return *known;
        }
        self.alias_info.borrow_mut().insert(index, None);
        let info = super::types::infer(
            &self.spec.variables[index].expr.expr,
            self,
            Scope::Data,
            &mut Vec::new(),
        );
        self.alias_info.borrow_mut().insert(index, Some(info));
        Some(info)
    }

    /// Type information of a resolved symbol.
    pub fn symbol_info(&self, symbol: Symbol) -> Info {
        match symbol {
            Symbol::Column(c) => Info {
                ty: if c.ty == crate::io::ColumnType::Bool {
                    Ty::Bool
                } else {
                    Ty::Num
                },
                dim: Some(c.dim),
                discrete: Some(c.ty.is_discrete()),
            },
            Symbol::FileColumn(None) => Info::unknown(),
            Symbol::FileColumn(Some(dim)) => Info {
                dim: Some(dim),
                ..Info::unknown()
            },
            Symbol::Alias(i) => self.alias_info(i).unwrap_or_else(Info::unknown),
            Symbol::Mva(_) | Symbol::Correction(_) => Info {
                ty: Ty::Num,
                dim: Some(Dim::NONE),
                discrete: Some(false),
            },
            Symbol::Constant(_) | Symbol::Parameter | Symbol::Sigma | Symbol::Poi => Info {
                ty: Ty::Num,
                dim: None,
                discrete: Some(false),
            },
        }
    }

    /// Range every value of a variable (named by its canonical text) lies in, where known:
    /// declared column ranges and MVA outputs.
    pub fn known_range(&self, expr: &Expr) -> Option<(f64, f64)> {
        let symbol = match &expr.kind {
            ExprKind::Name(n) => self.resolve(n, Scope::Data)?,
            ExprKind::Call(..) => self.resolve_call(expr)?,
            _ => return None,
        };
        match symbol {
            Symbol::Column(c) => c.range,
            Symbol::Mva(i) => self.mva_range(i),
            Symbol::Alias(i) => self.known_range(&self.spec.variables[i].expr.expr),
            _ => None,
        }
    }

    /// Range of an MVA's output, from its model's leaves and link (`None` when the model
    /// cannot be loaded; other rules report why). Models are loaded once per lint.
    fn mva_range(&self, i: usize) -> Option<(f64, f64)> {
        let ranges = self.mva_ranges.get_or_init(|| {
            self.spec
                .mva
                .iter()
                .map(|m| {
                    let path = self.base_dir.join(&m.model.value);
                    let model = crate::mva::load(&path, &m.format.value).ok()?;
                    let range = model.forest.output_range(0, m.output.value == "margin");
                    (range.0.is_finite() && range.1.is_finite()).then_some(range)
                })
                .collect()
        });
        ranges[i]
    }

    /// Line and column of a span, for messages that mention another place.
    pub fn position(&self, span: Span) -> String {
        let f = self.sources.file(span.file);
        let (line, col) = f.line_col(span.start);
        format!("{}:{line}:{col}", f.path.display())
    }
}
