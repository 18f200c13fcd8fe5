//! Checksums of migration sources: blake3, shown as 64 lowercase hex digits.
//!
//! Two kinds exist (see spec/format.md, "Checksums"): the file checksum over the normalised
//! bytes, and canonical checksums over the statements' canonical form, which tell a
//! cosmetic edit (comments, whitespace) from a real one. [`SCHEME`] names how both are
//! computed and is stored with every ledger row; changing either computation means a new
//! scheme number, never a silent change, or every applied migration would look edited.

use std::fmt;
use std::str::FromStr;

/// The checksum scheme this version of sqlmig writes.
///
/// Scheme 1: file = blake3(file text without a UTF-8 BOM, CRLF → LF); canonical = blake3
/// of the statements rendered by sqlparser 0.63 (see `migration::canonical_form`).
pub const SCHEME: i64 = 1;

/// A blake3 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Checksum(pub [u8; 32]);

impl Checksum {
    /// Hash some bytes.
    pub fn of(bytes: &[u8]) -> Self {
        Checksum(*blake3::hash(bytes).as_bytes())
    }

    /// Hash text given in pieces, as if they were one string.
    pub fn of_pieces<'a>(pieces: impl IntoIterator<Item = &'a str>) -> Self {
        let mut hasher = blake3::Hasher::new();
        for p in pieces {
            hasher.update(p.as_bytes());
        }
        Checksum(*hasher.finalize().as_bytes())
    }

    /// The lowercase hex form stored in the ledger.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// Whether `hex` (as stored in the ledger, any case) is this checksum. Compares without
    /// formatting: `status` and every no-op `apply` do this once per applied migration.
    pub fn matches_hex(&self, hex: &str) -> bool {
        let hex = hex.trim().as_bytes();
        let nibble = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        };
        hex.len() == 64
            && self.0.iter().zip(hex.chunks_exact(2)).all(|(b, pair)| match (nibble(pair[0]), nibble(pair[1])) {
                (Some(h), Some(l)) => (h << 4 | l) == *b,
                _ => false,
            })
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One write of 64 digits: a formatted write per byte was a measurable part of
        // planning (four checksums per applied migration).
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 64];
        for (pair, b) in out.chunks_exact_mut(2).zip(self.0) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 0xf)];
        }
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Checksum({self})")
    }
}

impl FromStr for Checksum {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{s}` is not a 64-digit hex checksum"));
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(Checksum(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn hex_round_trip() {
        let c = Checksum::of(b"abc");
        assert_eq!(c.to_hex().len(), 64);
        assert_eq!(c.to_hex().parse::<Checksum>(), Ok(c));
        assert!("xyz".parse::<Checksum>().is_err());
        assert!(c.matches_hex(&c.to_hex()) && c.matches_hex(&c.to_hex().to_uppercase()));
        assert!(!c.matches_hex(&Checksum::of(b"abd").to_hex()) && !c.matches_hex("ab"));
    }

    #[test]
    fn blake3_of_empty_input_is_the_published_value() {
        // A fixed vector: if this changes, every ledger in the world looks edited.
        assert_eq!(Checksum::of(b"").to_hex(), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    }
}
