//! Serialising large answers: serde_json writes a JSON document as thousands of
//! tiny pieces (quotes, colons, commas, short keys and values). Through `Vec<u8>`'s
//! `Write` every piece is a `memcpy` call, and musl's `memcpy` (the static binary's)
//! pays a fixed cost per call that made copying a third of a 140-itinerary search's
//! serialisation. Pieces of up to [`SHORT`] bytes are pushed byte by byte instead.

use serde::Serialize;
use std::io;

/// Longest piece pushed byte by byte.
const SHORT: usize = 16;

struct Out(Vec<u8>);

impl io::Write for Out {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if buf.len() <= SHORT {
            for &b in buf {
                self.0.push(b);
            }
        } else {
            self.0.extend_from_slice(buf);
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `value` as compact JSON (the bytes of `serde_json::to_vec`), in a buffer of
/// `capacity` bytes to start with.
pub fn to_json_vec<T: Serialize + ?Sized>(
    value: &T,
    capacity: usize,
) -> serde_json::Result<Vec<u8>> {
    let mut out = Out(Vec::with_capacity(capacity));
    serde_json::to_writer(&mut out, value)?;
    Ok(out.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_bytes_are_those_of_serde_json_for_short_and_long_pieces() {
        let long = "x".repeat(100);
        let value = json!({"a": 1, "quote\"d": "é\n\t", "long": long, "n": null,
                           "list": [true, 1.5, -3, "0123456789abcdefg"], "": ""});
        for capacity in [0, 1, 4096] {
            let ours = to_json_vec(&value, capacity).unwrap();
            assert_eq!(ours, serde_json::to_vec(&value).unwrap());
        }
    }
}
