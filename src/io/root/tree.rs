//! A TTree's metadata: its entry count and, per branch, the leaf type and where each
//! basket lies. Only what reading flat branches needs is kept; the rest of each record
//! is skipped by its byte count, so the layouts below follow the class versions ROOT 6
//! writes (TTree 19–20, TBranch 11–13, the TLeaf family).

use super::cursor::{Cursor, Result};
use super::objects::{self, Pointer, PointerReader};

/// The value type of a flat branch's single leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeafType {
    /// `TLeafO`.
    Bool,
    /// `TLeafB` (signed or unsigned).
    Int8 {
        /// Unsigned (`UChar_t`).
        unsigned: bool,
    },
    /// `TLeafS`.
    Int16 {
        /// Unsigned (`UShort_t`).
        unsigned: bool,
    },
    /// `TLeafI`.
    Int32 {
        /// Unsigned (`UInt_t`).
        unsigned: bool,
    },
    /// `TLeafL` and `TLeafG`.
    Int64 {
        /// Unsigned (`ULong64_t`).
        unsigned: bool,
    },
    /// `TLeafF`.
    Float32,
    /// `TLeafD`.
    Float64,
}

impl LeafType {
    /// Bytes per value on disk.
    pub fn width(self) -> usize {
        match self {
            LeafType::Bool | LeafType::Int8 { .. } => 1,
            LeafType::Int16 { .. } => 2,
            LeafType::Int32 { .. } | LeafType::Float32 => 4,
            LeafType::Int64 { .. } | LeafType::Float64 => 8,
        }
    }

    /// The type's name as users see it (`f64`, `u32`, …).
    pub fn name(self) -> &'static str {
        match self {
            LeafType::Bool => "bool",
            LeafType::Int8 { unsigned: false } => "i8",
            LeafType::Int8 { unsigned: true } => "u8",
            LeafType::Int16 { unsigned: false } => "i16",
            LeafType::Int16 { unsigned: true } => "u16",
            LeafType::Int32 { unsigned: false } => "i32",
            LeafType::Int32 { unsigned: true } => "u32",
            LeafType::Int64 { unsigned: false } => "i64",
            LeafType::Int64 { unsigned: true } => "u64",
            LeafType::Float32 => "f32",
            LeafType::Float64 => "f64",
        }
    }

    fn of(class: &str, unsigned: bool) -> Option<LeafType> {
        Some(match class {
            "TLeafO" => LeafType::Bool,
            "TLeafB" => LeafType::Int8 { unsigned },
            "TLeafS" => LeafType::Int16 { unsigned },
            "TLeafI" => LeafType::Int32 { unsigned },
            "TLeafL" | "TLeafG" => LeafType::Int64 { unsigned },
            "TLeafF" => LeafType::Float32,
            "TLeafD" => LeafType::Float64,
            _ => return None,
        })
    }
}

/// How a branch's (or an RNTuple field's) values are laid out per entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// One value per entry of this type.
    Flat(LeafType),
    /// Any number of values per entry (a variable-length array, `x[n]/F`, or an RNTuple
    /// collection of numbers), read as one candidate row per value.
    Jagged(LeafType),
    /// Anything else, described for the error message.
    Unsupported(String),
}

/// One basket of a branch on disk.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BasketRef {
    /// File offset of the basket's key.
    pub seek: u64,
    /// Size of the key and compressed payload.
    pub bytes: u32,
    /// First entry stored in the basket.
    pub first_entry: u64,
    /// Number of entries stored.
    pub entries: u64,
}

/// A top-level branch.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    /// Branch name.
    pub name: String,
    /// How its values are stored.
    pub layout: Layout,
    /// Bytes in front of each entry's values (10 for a `std::vector`: byte count,
    /// version and length; 0 for a variable-length array `x[n]`).
    pub entry_header: usize,
    /// Its baskets in entry order.
    pub baskets: Vec<BasketRef>,
}

/// A TTree's entry count and top-level branches.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    /// Number of entries.
    pub entries: u64,
    /// Branches in the tree's order.
    pub branches: Vec<Branch>,
}

/// Parses a TTree record (the decompressed payload of its key; `origin` is the key's
/// header length, from which ROOT numbers back-references).
pub fn parse(buf: &[u8], origin: usize) -> Result<Tree> {
    let mut c = Cursor::at(buf, 0);
    let header = objects::versioned(&mut c)?;
    if !(19..=20).contains(&header.version) {
        return Err(format!(
            "TTree class version {} is not supported (ROOT 6 writes 19 and 20)",
            header.version
        ));
    }
    objects::tnamed(&mut c)?;
    for base in ["TAttLine", "TAttFill", "TAttMarker"] {
        objects::skip_record(&mut c, base)?;
    }
    let entries = c.i64()?;
    let entries = u64::try_from(entries).map_err(|_| format!("negative entry count {entries}"))?;
    // fTotBytes, fZipBytes, fSavedBytes, fFlushedBytes, fWeight; fTimerInterval,
    // fScanField, fUpdate, fDefaultEntryOffsetLen.
    c.skip(5 * 8 + 4 * 4)?;
    let cluster_ranges = c.count("cluster range count")?;
    // fMaxEntries, fMaxEntryLoop, fMaxVirtualSize, fAutoSave, fAutoFlush, fEstimate.
    c.skip(6 * 8)?;
    for _ in 0..2 {
        // fClusterRangeEnd and fClusterSize, each after a one-byte array marker.
        if c.u8()? != 0 {
            c.skip(cluster_ranges * 8)?;
        }
    }
    if header.version >= 20 {
        objects::skip_record(&mut c, "TIOFeatures")?;
    }
    let mut pointers = PointerReader::new(origin);
    let branches = pointers.objarray(&mut c, |p, c, class| branch(p, c, class, 0))?;
    Ok(Tree { entries, branches })
}

/// How deep sub-branches may nest (split objects nest a few levels; a corrupt file
/// must not recurse without bound).
const MAX_DEPTH: usize = 16;

/// Parses one branch object of class `class` at nesting `depth`. Sub-branches are
/// parsed too (not skipped): the classes they introduce are referred to later.
fn branch(p: &mut PointerReader, c: &mut Cursor, class: &str, depth: usize) -> Result<Branch> {
    if depth > MAX_DEPTH {
        return Err(format!("branches nested over {MAX_DEPTH} deep"));
    }
    match class {
        "TBranch" => tbranch(p, c, depth),
        "TBranchElement" => {
            // A `std::vector` of numbers without sub-branches is jagged; other objects are
            // refused by their class.
            let header = objects::versioned(c)?;
            let mut base = tbranch(p, c, depth)?;
            let class_name = c.string()?;
            if header.version == 10 {
                c.string()?; // fParentName
                c.string()?; // fClonesName
                c.skip(4 + 2 + 4 * 4)?; // fCheckSum, fClassVersion, fID, fType, fStreamerType, fMaximum
                for _ in 0..2 {
                    // fBranchCount, fBranchCount2
                    if let Pointer::Here { class, end } = p.read(c)? {
                        branch(p, c, &class, depth + 1)?;
                        c.seek(end)?;
                    }
                }
            }
            objects::finish(c, &header, class)?;
            let plain =
                matches!(&base.layout, Layout::Unsupported(s) if s.contains("TLeafElement"));
            base.layout = match vector_element(&class_name) {
                Some(ty) if plain => {
                    base.entry_header = 10;
                    Layout::Jagged(ty)
                }
                _ => Layout::Unsupported(format!("an object branch (`{class_name}`)")),
            };
            Ok(base)
        }
        "TBranchObject" | "TBranchSTL" | "TBranchRef" => {
            // Object branches start with their TBranch base: keep its name, refuse the rest.
            let header = objects::versioned(c)?;
            let mut base = tbranch(p, c, depth)?;
            objects::finish(c, &header, class)?;
            base.layout = Layout::Unsupported(format!("an object branch ({class})"));
            Ok(base)
        }
        // A sub-branch of a class not read here: skipped by its byte count.
        other if depth > 0 => Ok(Branch {
            name: String::new(),
            layout: Layout::Unsupported(format!("a {other}")),
            entry_header: 0,
            baskets: Vec::new(),
        }),
        other => Err(format!("unexpected class `{other}` among the branches")),
    }
}

fn tbranch(p: &mut PointerReader, c: &mut Cursor, depth: usize) -> Result<Branch> {
    let header = objects::versioned(c)?;
    if !(11..=13).contains(&header.version) {
        return Err(format!(
            "TBranch class version {} is not supported (ROOT 6 writes 11 to 13)",
            header.version
        ));
    }
    let (name, _) = objects::tnamed(c)?;
    objects::skip_record(c, "TAttFill")?;
    // fCompress, fBasketSize, fEntryOffsetLen.
    c.skip(3 * 4)?;
    let written = c.count("written basket count")?;
    c.skip(8)?; // fEntryNumber
    if header.version >= 13 {
        objects::skip_record(c, "TIOFeatures")?;
    }
    c.skip(4)?; // fOffset
    let max_baskets = c.count("basket capacity")?;
    c.skip(4)?; // fSplitLevel
    let entries = c.i64()?;
    // fFirstEntry, fTotBytes, fZipBytes.
    c.skip(3 * 8)?;
    let children = p
        .objarray(c, |p, c, class| branch(p, c, class, depth + 1))?
        .len();
    let leaves = p.objarray(c, leaf)?;
    let embedded = p.objarray(c, |_, _, _| Ok(()))?.len();
    let mut arrays = [Vec::new(), Vec::new(), Vec::new()];
    for (i, array) in arrays.iter_mut().enumerate() {
        let marker = c.u8()?;
        if marker == 0 {
            continue;
        }
        for _ in 0..max_baskets {
            array.push(if i == 0 {
                i64::from(c.i32()?)
            } else {
                c.i64()?
            });
        }
    }
    objects::finish(c, &header, "TBranch")?;
    let layout = match (children, leaves.as_slice()) {
        (0, [single]) => single.clone(),
        (0, []) => Layout::Unsupported("a branch without leaves".into()),
        (0, many) => Layout::Unsupported(format!("a leaf list of {} values", many.len())),
        (n, _) => Layout::Unsupported(format!("a branch with {n} sub-branches")),
    };
    let layout = if embedded > 0 {
        Layout::Unsupported(
            "baskets kept inside the tree's metadata (the file was not closed cleanly)".into(),
        )
    } else {
        layout
    };
    let [sizes, firsts, seeks] = arrays;
    let entries =
        u64::try_from(entries).map_err(|_| format!("branch `{name}`: negative entry count"))?;
    if written > sizes.len() {
        return Err(format!(
            "branch `{name}` lists {} baskets but says {written} were written",
            sizes.len()
        ));
    }
    let mut baskets = Vec::with_capacity(written);
    for i in 0..written {
        let (Some(&size), Some(&first), Some(&seek)) = (sizes.get(i), firsts.get(i), seeks.get(i))
        else {
            return Err(format!("branch `{name}`: basket {i} is not listed"));
        };
        let next = if i + 1 < written {
            *firsts
                .get(i + 1)
                .ok_or_else(|| format!("branch `{name}`: basket {i} is not listed"))?
        } else {
            i64::try_from(entries).unwrap_or(i64::MAX)
        };
        let (Ok(bytes), Ok(first), Ok(seek), Ok(count)) = (
            u32::try_from(size),
            u64::try_from(first),
            u64::try_from(seek),
            u64::try_from(next - first),
        ) else {
            return Err(format!(
                "branch `{name}`: basket {i} has an impossible position"
            ));
        };
        baskets.push(BasketRef {
            seek,
            bytes,
            first_entry: first,
            entries: count,
        });
    }
    Ok(Branch {
        name,
        layout,
        entry_header: 0,
        baskets,
    })
}

/// The element type of a `std::vector` of numbers, from its class name.
fn vector_element(class: &str) -> Option<LeafType> {
    let inner = class.strip_prefix("vector<")?.strip_suffix('>')?.trim();
    Some(match inner {
        "double" => LeafType::Float64,
        "float" => LeafType::Float32,
        "bool" => LeafType::Bool,
        "char" | "Char_t" => LeafType::Int8 { unsigned: false },
        "unsigned char" | "UChar_t" => LeafType::Int8 { unsigned: true },
        "short" | "Short_t" => LeafType::Int16 { unsigned: false },
        "unsigned short" | "UShort_t" => LeafType::Int16 { unsigned: true },
        "int" | "Int_t" => LeafType::Int32 { unsigned: false },
        "unsigned int" | "UInt_t" => LeafType::Int32 { unsigned: true },
        "long" | "long long" | "Long64_t" | "Long_t" => LeafType::Int64 { unsigned: false },
        "unsigned long" | "unsigned long long" | "ULong64_t" | "ULong_t" => {
            LeafType::Int64 { unsigned: true }
        }
        _ => return None,
    })
}

/// Parses a leaf (class `TLeafX`): flat when it holds one value per entry.
fn leaf(p: &mut PointerReader, c: &mut Cursor, class: &str) -> Result<Layout> {
    let outer = objects::versioned(c)?;
    let inner = objects::versioned(c)?;
    objects::tnamed(c)?;
    let len = c.i32()?;
    c.skip(4 + 4 + 1)?; // fLenType, fOffset, fIsRange
    let unsigned = c.u8()? != 0;
    let counter = p.read(c)?;
    if let Pointer::Here { end, .. } = counter {
        c.seek(end)?;
    }
    objects::finish(c, &inner, "TLeaf")?;
    objects::finish(c, &outer, class)?;
    let Some(ty) = LeafType::of(class, unsigned) else {
        return Ok(Layout::Unsupported(format!("a {class} leaf")));
    };
    Ok(match (counter, len) {
        (Pointer::Null, 1) => Layout::Flat(ty),
        (Pointer::Null, n) => {
            Layout::Unsupported(format!("a fixed-size array of {n} {}", ty.name()))
        }
        (_, 1) => Layout::Jagged(ty),
        (_, n) => Layout::Unsupported(format!(
            "a variable-length array of arrays of {n} {}",
            ty.name()
        )),
    })
}
