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

/// The variable text a basf2 branch name was mangled from (`daughter__bo0__cm__spM__bc`
/// is `daughter(0, M)`), or None when the name holds no mangled character or does not
/// mangle back to itself.
pub fn demangle(branch: &str) -> Option<String> {
    let mut out = String::with_capacity(branch.len());
    let mut rest = branch;
    while !rest.is_empty() {
        // The longest code that starts here (`__semicolon` before `__sc`).
        let code = REPLACEMENTS
            .iter()
            .filter(|(_, code)| rest.starts_with(code))
            .max_by_key(|(_, code)| code.len());
        match code {
            Some((c, code)) => {
                out.push(*c);
                rest = &rest[code.len()..];
            }
            None => {
                let c = rest.chars().next()?;
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    (out != branch && mangle(&out) == branch).then_some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn demangles_what_it_mangles() {
        for text in [
            "daughter(0, M)",
            "nParticlesInList(pi+:loose)",
            "useCMSFrame(p)",
        ] {
            assert_eq!(super::demangle(&super::mangle(text)).as_deref(), Some(text));
        }
        assert_eq!(super::demangle("chiProb"), None);
        assert_eq!(super::demangle("__event__"), None);
    }

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
