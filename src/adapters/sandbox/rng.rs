//! A tiny deterministic PRNG. The sandbox must give the same answer for the same
//! input on every machine and release, which rules out `rand`'s and std's hashers.

/// splitmix64: tiny, fast and stable across platforms and releases.
pub struct Rng(u64);

impl Rng {
    pub fn seeded(text: &str) -> Self {
        // FNV-1a: a stable hash (std's hashers are randomly keyed or unspecified).
        let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        Self(h)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: i64) -> i64 {
        let n = u64::try_from(n).unwrap_or(0);
        if n == 0 {
            return 0;
        }
        i64::try_from(self.next_u64() % n).unwrap_or(0)
    }

    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below(hi - lo + 1)
    }

    pub fn percent(&mut self, p: i64) -> bool {
        self.below(100) < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        items
            .get(usize::try_from(self.below(items.len() as i64)).ok()?)
            .copied()
    }
}
