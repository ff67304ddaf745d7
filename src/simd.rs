//! The vector instruction sets the hot element loops are compiled for, and the choice
//! among them at run time.
//!
//! A loop defined with [`multiversioned!`] is compiled three times: for the x86-64
//! baseline (SSE2, two doubles per instruction), for AVX2 (four) and for AVX-512 (eight);
//! each call runs the widest version this machine supports. None uses fused
//! multiply–add (Rust never contracts `a * b + c` on its own), so every version computes
//! the same bits: results do not depend on the machine.
//!
//! `SEARCHLIGHT_SIMD=baseline|avx2|avx512` caps the level (never above what the machine
//! has), so that tests can check that every version gives identical results and
//! benchmarks can compare them. Hand-written rather than the `multiversion` crate's
//! attribute because that dispatch cannot be capped, which left the narrower versions
//! untested on any machine with AVX-512.

use std::sync::atomic::{AtomicU8, Ordering};

/// Vector instruction sets, narrowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The x86-64 baseline (SSE2), or any other architecture.
    Baseline = 1,
    /// AVX2.
    Avx2 = 2,
    /// AVX-512 (F, VL, BW, DQ).
    Avx512 = 3,
}

impl Level {
    /// The level named `name` (`baseline`, `avx2`, `avx512`).
    pub fn parse(name: &str) -> Option<Level> {
        match name {
            "baseline" => Some(Level::Baseline),
            "avx2" => Some(Level::Avx2),
            "avx512" => Some(Level::Avx512),
            _ => None,
        }
    }
}

/// The level in use; 0 until first chosen.
static LEVEL: AtomicU8 = AtomicU8::new(0);

/// The level the element loops run at: the widest this machine supports, capped by
/// `SEARCHLIGHT_SIMD` when that names a level (an unknown name is reported by the
/// command at start-up, see [`level_from_env`]).
#[inline]
pub fn level() -> Level {
    match LEVEL.load(Ordering::Relaxed) {
        1 => Level::Baseline,
        2 => Level::Avx2,
        3 => Level::Avx512,
        _ => {
            let cap = level_from_env().ok().flatten().unwrap_or(Level::Avx512);
            let level = supported().min(cap);
            LEVEL.store(level as u8, Ordering::Relaxed);
            level
        }
    }
}

/// The level `SEARCHLIGHT_SIMD` asks for: `Ok(None)` when unset, `Err` with the value
/// when it names no level.
pub fn level_from_env() -> Result<Option<Level>, String> {
    match std::env::var("SEARCHLIGHT_SIMD") {
        Err(_) => Ok(None),
        Ok(name) => Level::parse(&name).map(Some).ok_or(name),
    }
}

/// The widest level this machine supports.
fn supported() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512dq")
        {
            return Level::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return Level::Avx2;
        }
    }
    Level::Baseline
}

/// Defines a function whose body is compiled for each [`Level`] and run at
/// [`level()`]. The body must be a loop that vectorises and take any operation as an
/// argument (a closure made by the caller): a closure made *inside* a function compiled
/// for AVX2 inherits its target features, and LLVM then will not inline it into the
/// baseline iterator code it is handed to, leaving a call per element.
macro_rules! multiversioned {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq")]
            fn avx512($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2($($arg: $ty),*) $(-> $ret)? $body
            #[inline(always)]
            fn baseline($($arg: $ty),*) $(-> $ret)? $body
            match $crate::simd::level() {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `level()` is never above what this machine supports.
                $crate::simd::Level::Avx512 => unsafe { avx512($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: as above.
                $crate::simd::Level::Avx2 => unsafe { avx2($($arg),*) },
                _ => baseline($($arg),*),
            }
        }
    };
}
pub(crate) use multiversioned;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_named_and_ordered() {
        assert_eq!(Level::parse("avx2"), Some(Level::Avx2));
        assert_eq!(Level::parse("sse"), None);
        assert!(Level::Baseline < Level::Avx2 && Level::Avx2 < Level::Avx512);
        assert!(level() <= supported());
    }
}
