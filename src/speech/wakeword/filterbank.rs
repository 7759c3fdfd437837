//! The frontend's mel filterbank: FFT bin energies weighted into 40 overlapping
//! triangular bands, accumulated in 64 bits, then an integer square root.
//!
//! The weights come from single-precision mel arithmetic (`log1pf`), as in
//! `filterbank_util.c` of the TFLite Micro version pymicro-features is built from.

use super::fft::Cpx;
use super::frontend::{FEATURES, SAMPLE_RATE};

/// Fixed-point fraction bits of the filterbank weights (`kFilterbankBits`).
pub(super) const FILTERBANK_BITS: u32 = 12;
const LOWER_BAND_HZ: f32 = 125.0;
const UPPER_BAND_HZ: f32 = 7500.0;

/// `FreqToMel`, in single precision like the C function, computed by the C library's
/// `log1pf` as the reference was: in an optimised build the compiler otherwise works
/// the constant table out itself, correctly rounded, and one band edge moved by a bin
/// (the release build's features then differed from the reference's).
fn freq_to_mel(freq: f32) -> f32 {
    1127.0 * std::hint::black_box(freq / 700.0).ln_1p()
}

/// Triangular mel filterbank over FFT energies. Each bin in `start..start + len` lies in
/// one band `c` (0..=FEATURES, band `c` peaking at the `c`-th center): it adds
/// `weight * energy` to accumulator `c` and `unweight * energy` (the falling slope) to
/// `c + 1`. Output channel `i` is accumulator `i + 1`; 0 and 41 are dropped, as in C.
/// (The C layout pads and aligns the weight arrays with zeros; the sums are the same.)
#[derive(Debug, Clone)]
pub(super) struct Filterbank {
    /// First bin used (DC and everything below the lower band edge is skipped).
    pub(super) start: usize,
    /// Per bin from `start`: its band, and its weights in Q12.
    pub(super) band: Vec<u8>,
    pub(super) weight: Vec<u16>,
    pub(super) unweight: Vec<u16>,
}

impl Filterbank {
    /// `FilterbankPopulateState` for this configuration, over `spectrum_bins` FFT bins.
    pub(super) fn new(spectrum_bins: usize) -> Filterbank {
        let bands = FEATURES + 1;
        let mel_low = freq_to_mel(LOWER_BAND_HZ);
        let mel_spacing = (freq_to_mel(UPPER_BAND_HZ) - mel_low) / bands as f32;
        let centers: Vec<f32> = (0..bands)
            .map(|i| mel_low + mel_spacing * (i + 1) as f32)
            .collect();
        let hz_per_bin = 0.5 * SAMPLE_RATE as f32 / (spectrum_bins as f32 - 1.0);
        // DC is always excluded.
        let start = (1.5 + LOWER_BAND_HZ / hz_per_bin) as usize;

        let quantize = |x: f32| (x * (1 << FILTERBANK_BITS) as f32 + 0.5).floor() as u16;
        let mut bank = Filterbank {
            start,
            band: Vec::new(),
            weight: Vec::new(),
            unweight: Vec::new(),
        };
        let mut bin = start;
        for (band, &center) in centers.iter().enumerate() {
            let previous = if band == 0 {
                mel_low
            } else {
                centers[band - 1]
            };
            while freq_to_mel(bin as f32 * hz_per_bin) <= center {
                let w = (center - freq_to_mel(bin as f32 * hz_per_bin)) / (center - previous);
                bank.band.push(band as u8);
                bank.weight.push(quantize(w));
                bank.unweight.push(quantize(1.0 - w));
                bin += 1;
            }
        }
        debug_assert!(bin < spectrum_bins, "filterbank reaches past the spectrum");
        bank
    }

    /// Mel channel magnitudes: band energies accumulated in 64 bits, square-rooted and
    /// shifted back down by the FFT input's scaling (`FilterbankConvertFftComplexToEnergy`,
    /// `FilterbankAccumulateChannels`, `FilterbankSqrt`).
    pub(super) fn apply(&self, spectrum: &[Cpx], scale_down: u32) -> [u32; FEATURES] {
        let mut work = [0u64; FEATURES + 2];
        let bins = &spectrum[self.start..self.start + self.band.len()];
        for (((c, &band), &w), &uw) in bins
            .iter()
            .zip(&self.band)
            .zip(&self.weight)
            .zip(&self.unweight)
        {
            let (re, im) = (i32::from(c.r), i32::from(c.i));
            // Stored in an int32 and widened with sign extension, as in C (only
            // re = im = -32768 overflows).
            let energy = (re * re).wrapping_add(im * im) as i64 as u64;
            let band = usize::from(band);
            work[band] = work[band].wrapping_add(u64::from(w).wrapping_mul(energy));
            work[band + 1] = work[band + 1].wrapping_add(u64::from(uw).wrapping_mul(energy));
        }
        std::array::from_fn(|i| sqrt64(work[i + 1]) >> scale_down)
    }
}

/// Rounded integer square root of a 32-bit value (`Sqrt32`).
fn sqrt32(mut num: u32) -> u32 {
    if num == 0 {
        return 0;
    }
    let mut res: u32 = 0;
    let max_bit_number = num.leading_zeros() | 1;
    let mut bit: u32 = 1 << (31 - max_bit_number);
    for _ in 0..(31 - max_bit_number) / 2 + 1 {
        if num >= res + bit {
            num -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    if num > res && res != 0xFFFF {
        res += 1;
    }
    res
}

/// Rounded integer square root of a 64-bit value (`Sqrt64`), taking the 32-bit path
/// when the upper word is clear, as the reference does.
fn sqrt64(mut num: u64) -> u32 {
    if num >> 32 == 0 {
        return sqrt32(num as u32);
    }
    let mut res: u64 = 0;
    let max_bit_number = num.leading_zeros() | 1;
    let mut bit: u64 = 1 << (63 - max_bit_number);
    for _ in 0..(63 - max_bit_number) / 2 + 1 {
        if num >= res + bit {
            num -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    if num > res && res != 0xFFFF_FFFF {
        res += 1;
    }
    res as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_square_roots_round_to_nearest() {
        for n in (0u64..70_000).chain([1 << 32, (1 << 40) + 12345, u64::MAX >> 4]) {
            let exact = (n as f64).sqrt();
            let got = f64::from(sqrt64(n));
            assert!(
                (got - exact).abs() <= 0.5 + 1e-9,
                "sqrt({n}) = {got}, exact {exact}"
            );
        }
    }
}
