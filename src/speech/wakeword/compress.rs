//! The two compressions of the channel magnitudes after noise reduction: PCAN
//! (per-channel automatic gain control, normalising by the noise estimate) and the
//! integer natural log, both as in TFLite Micro's `pcan_gain_control.c` and
//! `log_scale.c` (32-bit wrapping arithmetic kept where the C code has it).

use super::frontend::{msb32, FEATURES};

const PCAN_STRENGTH: f32 = 0.95;
const PCAN_OFFSET: f32 = 80.0;
/// Fraction bits of the gain.
const PCAN_GAIN_BITS: u32 = 21;
const PCAN_SNR_BITS: u32 = 12;
const PCAN_OUTPUT_BITS: u32 = 6;
/// The gain curve is piecewise quadratic over each power of two of the noise estimate.
const WIDE_DYNAMIC_FUNCTION_BITS: u32 = 32;
const GAIN_LUT_SIZE: usize = 4 * WIDE_DYNAMIC_FUNCTION_BITS as usize - 3;

const LOG_SCALE_SHIFT: u32 = 6;
const LOG_SCALE_BITS: u32 = 16;
const LOG_SEGMENTS_BITS: u32 = 7;
/// ln(2) in Q16.
const LOG_COEFF: u64 = 45426;
/// The frontend's log2 correction table: 128 segments of the mantissa, Q16.
const LOG_LUT: [u16; 130] = [
    0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944,
    3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714,
    4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533,
    5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568,
    5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944,
    4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759,
    3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090,
    1971, 1851, 1729, 1605, 1480, 1353, 1224, 1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
];

/// PCAN gain control: its gain table and the shift that brings `signal * gain` to Q12.
#[derive(Debug, Clone)]
pub(super) struct Pcan {
    pub(super) gain_lut: [i16; GAIN_LUT_SIZE],
    snr_shift: u32,
}

impl Pcan {
    /// For a noise estimate with `smoothing_bits` fraction bits and a filterbank output
    /// `correction_bits` away from unit scale (`PcanGainControlPopulateState`).
    pub(super) fn new(smoothing_bits: u32, correction_bits: u32) -> Pcan {
        Pcan {
            gain_lut: gain_lut(smoothing_bits as i32 - correction_bits as i32),
            snr_shift: PCAN_GAIN_BITS - correction_bits - PCAN_SNR_BITS,
        }
    }

    /// Per-channel gain from the noise estimate, then a soft threshold
    /// (`PcanGainControlApply`).
    pub(super) fn apply(&self, signal: &mut [u32; FEATURES], noise_estimate: &[u32; FEATURES]) {
        for (s, &estimate) in signal.iter_mut().zip(noise_estimate) {
            // The C code converts the int16 gain to uint32 (sign-extending).
            let gain = wide_dynamic_function(estimate, &self.gain_lut) as u32;
            let snr = ((u64::from(*s) * u64::from(gain)) >> self.snr_shift) as u32;
            *s = pcan_shrink(snr);
        }
    }
}

/// The PCAN gain for noise estimate `x` (with `input_bits` fraction bits), in Q21,
/// computed in float as `PcanGainLookupFunction` does.
fn pcan_gain(input_bits: i32, x: u32) -> i16 {
    let x = x as f32 / (1u32 << input_bits) as f32;
    let gain = (1u32 << PCAN_GAIN_BITS) as f32 * (x + PCAN_OFFSET).powf(-PCAN_STRENGTH);
    if gain > f32::from(i16::MAX) {
        i16::MAX
    } else {
        (gain + 0.5) as i16
    }
}

/// Piecewise-quadratic table of the PCAN gain: entries 0 and 1 are the gains at 0 and 1;
/// for each power of two `2^(k-1)` (k = 2..=32) the three coefficients sit at `4k - 6`.
fn gain_lut(input_bits: i32) -> [i16; GAIN_LUT_SIZE] {
    let mut lut = [0i16; GAIN_LUT_SIZE];
    lut[0] = pcan_gain(input_bits, 0);
    lut[1] = pcan_gain(input_bits, 1);
    for interval in 2..=WIDE_DYNAMIC_FUNCTION_BITS {
        let x0 = 1u32 << (interval - 1);
        let x1 = x0 + (x0 >> 1);
        let x2 = if interval == WIDE_DYNAMIC_FUNCTION_BITS {
            x0 + (x0 - 1)
        } else {
            2 * x0
        };
        let y0 = pcan_gain(input_bits, x0);
        let diff1 = i32::from(pcan_gain(input_bits, x1)) - i32::from(y0);
        let diff2 = i32::from(pcan_gain(input_bits, x2)) - i32::from(y0);
        let a1 = 4 * diff1 - diff2;
        let a2 = diff2 - a1;
        let base = 4 * interval as usize - 6;
        lut[base] = y0;
        lut[base + 1] = a1 as i16;
        lut[base + 2] = a2 as i16;
    }
    lut
}

/// Interpolates the gain table at `x` (`WideDynamicFunction`), with the C code's
/// 32-bit wrapping arithmetic.
fn wide_dynamic_function(x: u32, lut: &[i16; GAIN_LUT_SIZE]) -> i16 {
    if x <= 2 {
        return lut[x as usize];
    }
    let interval = msb32(x);
    let seg = &lut[4 * interval as usize - 6..];
    let frac = if interval < 11 {
        x << (11 - interval)
    } else {
        x >> (interval - 11)
    } & 0x3FF;
    let frac = frac as i32;
    let mut result = (i32::from(seg[2]) * frac) >> 5;
    result = result.wrapping_add(((seg[1] as u32) << 5) as i32);
    result = result.wrapping_mul(frac);
    result = result.wrapping_add(1 << 14) >> 15;
    result = result.wrapping_add(i32::from(seg[0]));
    result as i16
}

/// Soft threshold of the gain-normalised signal (`PcanShrink`): quadratic below 2.0
/// (in Q12), linear minus 1.0 above, output in Q6.
fn pcan_shrink(x: u32) -> u32 {
    if x < (2 << PCAN_SNR_BITS) {
        (x * x) >> (2 + 2 * PCAN_SNR_BITS - PCAN_OUTPUT_BITS)
    } else {
        (x >> (PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) - (1 << PCAN_OUTPUT_BITS)
    }
}

/// Fractional part of log2(x) in Q16, from the mantissa and the correction table.
fn log2_fraction(x: u32, log2x: u32) -> u32 {
    let mut frac = x.wrapping_sub(1 << log2x) as i32;
    if log2x < LOG_SCALE_BITS {
        frac <<= LOG_SCALE_BITS - log2x;
    } else {
        frac >>= log2x - LOG_SCALE_BITS;
    }
    let base_seg = (frac >> (LOG_SCALE_BITS - LOG_SEGMENTS_BITS)) as usize;
    let seg_unit = (1i32 << LOG_SCALE_BITS) >> LOG_SEGMENTS_BITS;
    let c0 = i32::from(LOG_LUT[base_seg]);
    let c1 = i32::from(LOG_LUT[base_seg + 1]);
    let rel_pos = ((c1 - c0) * (frac - seg_unit * base_seg as i32)) >> LOG_SCALE_BITS;
    (frac + c0 + rel_pos) as u32
}

/// `ln(x) * 2^scale_shift`, rounded (the frontend's integer `Log`).
fn log(x: u32, scale_shift: u32) -> u32 {
    let integer = msb32(x) - 1;
    let log2 = (integer << LOG_SCALE_BITS) + log2_fraction(x, integer);
    let round = 1u32 << (LOG_SCALE_BITS - 1);
    let loge = ((LOG_COEFF * u64::from(log2) + u64::from(round)) >> LOG_SCALE_BITS) as u32;
    ((loge << scale_shift) + round) >> LOG_SCALE_BITS
}

/// `LogScaleApply`: undoes the FFT size's scaling (`correction_bits`, a left shift
/// here), takes the log, saturates to 16 bits.
pub(super) fn log_scale(signal: &[u32; FEATURES], correction_bits: u32) -> [u16; FEATURES] {
    signal.map(|s| {
        let value = s << correction_bits;
        let value = if value > 1 {
            log(value, LOG_SCALE_SHIFT)
        } else {
            0
        };
        value.min(u32::from(u16::MAX)) as u16
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_log_tracks_ln() {
        for x in [2u32, 3, 10, 1000, 65_535, 1 << 20, u32::MAX] {
            let want = f64::from(x).ln() * 64.0;
            let got = f64::from(log(x, LOG_SCALE_SHIFT));
            assert!((got - want).abs() <= 1.0, "log({x}) = {got}, want {want}");
        }
    }
}
