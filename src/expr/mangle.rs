//! basf2's branch-name mangling: `daughter(0, M)` is stored in ntuples as
//! `daughter__bo0__cm__spM__bc` (basf2 `MakeROOTCompatible`).

const REPLACEMENTS: &[(char, &str)] = &[
    (' ', "__sp"),
    (',', "__cm"),
    (':', "__cl"),
    ('=', "__eq"),
    ('<', "__st"),
    ('>', "__gt"),
    ('.', "__pt"),
    ('+', "__pl"),
    ('-', "__mi"),
    ('(', "__bo"),
    (')', "__bc"),
    ('{', "__co"),
    ('}', "__cc"),
    ('[', "__so"),
    (']', "__sc"),
    ('`', "__to"),
    ('´', "__tc"),
    ('~', "__tilde"),
    ('\\', "__bsl"),
    ('/', "__sl"),
    ('%', "__perc"),
    ('*', "__mu"),
    ('^', "__hat"),
    ('&', "__amp"),
    ('|', "__or"),
    ('!', "__exclam"),
    ('\'', "__quote"),
    ('"', "__dquote"),
    ('#', "__hash"),
    ('$', "__dollar"),
    ('?', "__question"),
    (';', "__semicolon"),
    ('@', "__at"),
];

/// The ntuple branch name basf2 writes for a variable written as `text`.
pub fn mangle(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        match REPLACEMENTS.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => out.push_str(to),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn mangles_like_basf2() {
        assert_eq!(
            super::mangle("daughter(0, M)"),
            "daughter__bo0__cm__spM__bc"
        );
        assert_eq!(super::mangle("useCMSFrame(p)"), "useCMSFrame__bop__bc");
        assert_eq!(
            super::mangle("nParticlesInList(pi+:loose)"),
            "nParticlesInList__bopi__pl__clloose__bc"
        );
    }
}
