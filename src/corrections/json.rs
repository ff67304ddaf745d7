//! A JSON reader for correction files that reads numbers as correctionlib does.
//!
//! correctionlib parses its files with rapidjson without `kParseFullPrecisionFlag`, whose
//! decimal-to-double conversion (`StrtodNormalPrecision`) is not correctly rounded: about
//! one number in four comes out up to 3 ulp away from the nearest double. Agreeing with
//! correctionlib bit for bit means reading them the same way, which needs the number's
//! digits; serde_json hands over a correctly rounded `f64` (or, with its crate-wide
//! `arbitrary_precision` feature, changes every number of the program), hence this small
//! reader. It also accepts rapidjson's `NaN`, `Infinity` and `-Infinity`.

/// A JSON value. Objects keep their keys in file order.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number written without fraction or exponent that fits 64 bits.
    Integer(i128),
    /// Any other number, as rapidjson reads it.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The number, integer or not.
    pub fn number(&self) -> Option<f64> {
        match self {
            Json::Integer(i) => Some(*i as f64),
            Json::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// The string.
    pub fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The array's items.
    pub fn array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// What kind of value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Integer(_) | Json::Float(_) => "a number",
            Json::Str(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// Parses a whole document; the error names the byte offset.
pub fn parse(text: &[u8]) -> Result<Json, String> {
    let mut p = Parser {
        text,
        at: 0,
        depth: 0,
    };
    p.skip_space();
    let value = p.value()?;
    p.skip_space();
    if p.at != text.len() {
        return Err(p.error("text after the document"));
    }
    Ok(value)
}

/// Nesting deeper than this is refused (a hostile file must not exhaust the stack).
const MAX_DEPTH: usize = 256;

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at byte {}: {what}", self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.text[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        match self.peek() {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'N') => self.literal("NaN", Json::Float(f64::NAN)),
            Some(b'I') => self.literal("Infinity", Json::Float(f64::INFINITY)),
            Some(b'-') if self.text[self.at..].starts_with(b"-Infinity") => {
                self.at += 9;
                Ok(Json::Float(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end of file")),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Json, String>) -> Result<Json, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let value = f(self);
        self.depth -= 1;
        value
    }

    fn object(&mut self) -> Result<Json, String> {
        self.at += 1;
        let mut members = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key"));
            }
            let key = self.string()?;
            self.skip_space();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.at += 1;
            self.skip_space();
            members.push((key, self.value()?));
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_space();
            items.push(self.value()?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.at += 1;
                    return String::from_utf8(out).map_err(|_| self.error("string is not UTF-8"));
                }
                Some(b'\\') => {
                    let escape = self.text.get(self.at + 1).copied();
                    self.at += 2;
                    let c = match escape {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err(self.error("bad escape")),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                Some(c) if c < 0x20 => return Err(self.error("control character in string")),
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("bad \\u escape"))?;
        self.at += 4;
        Ok(digits)
    }

    fn unicode_escape(&mut self) -> Result<char, String> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.text[self.at..].starts_with(b"\\u") {
                return Err(self.error("unpaired surrogate"));
            }
            self.at += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(self.error("unpaired surrogate"));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(|| self.error("bad \\u escape"))
    }

    /// A number, converted as rapidjson's `ParseNumber` with `StrtodNormalPrecision`
    /// does: digits into a 64-bit integer while they fit, then into a double (at most 17
    /// significant digits after the point), scaled by one multiplication or division by a
    /// power of ten.
    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        let minus = self.peek() == Some(b'-');
        if minus {
            self.at += 1;
        }
        let digit = |p: &Self| {
            p.peek()
                .filter(u8::is_ascii_digit)
                .map(|c| u64::from(c - b'0'))
        };
        let Some(first) = digit(self) else {
            return Err(self.error("expected a digit"));
        };
        self.at += 1;
        let limit: u64 = if minus { 1 << 63 } else { u64::MAX };
        let mut integer: u64 = first;
        let mut significant: i32 = 0;
        let mut double: Option<f64> = None;
        if first != 0 {
            while let Some(d) = digit(self) {
                if integer > (limit - d) / 10 {
                    double = Some(integer as f64);
                    break;
                }
                integer = integer * 10 + d;
                significant += 1;
                self.at += 1;
            }
        }
        if let Some(d) = double.as_mut() {
            while let Some(digit) = digit(self) {
                *d = *d * 10.0 + digit as f64;
                self.at += 1;
            }
        }
        let mut exp_frac: i32 = 0;
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digit(self).is_none() {
                return Err(self.error("expected a digit after `.`"));
            }
            if double.is_none() {
                while let Some(d) = digit(self) {
                    if integer > (1 << 53) - 1 {
                        break;
                    }
                    integer = integer * 10 + d;
                    exp_frac -= 1;
                    if integer != 0 {
                        significant += 1;
                    }
                    self.at += 1;
                }
                double = Some(integer as f64);
            }
            let d = double.as_mut().expect("set above");
            while let Some(digit) = digit(self) {
                if significant < 17 {
                    *d = *d * 10.0 + digit as f64;
                    exp_frac -= 1;
                    if *d > 0.0 {
                        significant += 1;
                    }
                }
                self.at += 1;
            }
        }
        let mut exp: i64 = 0;
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            double.get_or_insert(integer as f64);
            let negative = match self.peek() {
                Some(b'+') => {
                    self.at += 1;
                    false
                }
                Some(b'-') => {
                    self.at += 1;
                    true
                }
                _ => false,
            };
            if digit(self).is_none() {
                return Err(self.error("expected a digit in the exponent"));
            }
            while let Some(d) = digit(self) {
                exp = (exp * 10 + d as i64).min(1 << 40);
                self.at += 1;
            }
            if !negative && exp > i64::from(308 - exp_frac) {
                self.at = start;
                return Err(self.error("number too big"));
            }
            if negative {
                exp = -exp;
            }
        }
        let Some(d) = double else {
            let value = i128::from(integer);
            return Ok(Json::Integer(if minus { -value } else { value }));
        };
        let p = (exp + i64::from(exp_frac)).clamp(-10_000, 10_000) as i32;
        let d = if p < -308 {
            fast_path(fast_path(d, -308), p + 308)
        } else {
            fast_path(d, p)
        };
        if d > f64::MAX {
            self.at = start;
            return Err(self.error("number too big"));
        }
        Ok(Json::Float(if minus { -d } else { d }))
    }
}

/// rapidjson's `FastPath`: the significand times (or over) a power of ten.
fn fast_path(significand: f64, exp: i32) -> f64 {
    if exp < -308 {
        0.0
    } else if exp >= 0 {
        significand * pow10(exp)
    } else {
        significand / pow10(-exp)
    }
}

/// 10^n for 0 ≤ n ≤ 308, correctly rounded (rapidjson's table of literals).
fn pow10(n: i32) -> f64 {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0..=308)
            .map(|k| format!("1e{k}").parse().expect("a power of ten"))
            .collect()
    });
    table[n as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(text: &str) -> f64 {
        match parse(text.as_bytes()).unwrap() {
            Json::Float(x) => x,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn numbers_read_as_rapidjson_reads_them() {
        assert_eq!(parse(b"12").unwrap(), Json::Integer(12));
        assert_eq!(parse(b"-0").unwrap(), Json::Integer(0));
        assert_eq!(float("0.5"), 0.5);
        assert_eq!(float("-2.5e-3"), -0.0025);
        assert_eq!(float("1e2"), 100.0);
        // Not correctly rounded (correctionlib 2.9.0 reads the same double).
        assert_eq!(float("0.9728340843400927"), 0.9728340843400928);
        assert!(float("NaN").is_nan());
        assert_eq!(float("-Infinity"), f64::NEG_INFINITY);
        assert!(parse(b"1e400").is_err());
        assert!(parse(b"[1,]").is_err());
        assert!(parse(&[b'['; 300]).is_err());
    }
}
