//! SplitMix64 (Vigna): a tiny, well-known generator, the one stream behind every seeded draw
//! in prefer (the display order and best-worst tuples, the bootstrap's intervals, `prefer
//! synth`'s data), so each gives the same result on every machine and every run.

/// SplitMix64 from the state it holds.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0), by multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_gives_the_reference_outputs() {
        // The first outputs of Vigna's splitmix64.c from state 1234567, and from state 0:
        // every shuffle and the bootstrap's intervals rest on this stream.
        let mut r = SplitMix64(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                6457827717110365317,
                3203168211198807973,
                9817491932198370423,
                4593380528125082431,
                16408922859458223821
            ]
        );
        assert_eq!(SplitMix64(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        // below(n) is the top of next_u64 * n: (x * n) >> 64, by hand from the outputs above.
        let mut r = SplitMix64(1_234_567);
        let got: Vec<usize> = (0..8).map(|_| r.below(10)).collect();
        assert_eq!(got, [3, 1, 5, 2, 8, 4, 5, 2]);
        let got: Vec<usize> = (0..4).map(|_| r.below(1000)).collect();
        assert_eq!(got, [437, 818, 425, 442]);
    }
}
